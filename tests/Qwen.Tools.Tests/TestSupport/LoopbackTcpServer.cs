using System.Net;
using System.Net.Sockets;

namespace Qwen.Tools.Tests.TestSupport;

/// <summary>
/// A TCP listener on 127.0.0.1 that hands each connection to a callback, closing it afterwards: the plumbing of the
/// test HTTP servers (<see cref="LocalHttpServer"/> here, the fake Hugging Face Hub in Qwen.Runtime.Tests, which links this file).
/// </summary>
internal sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<NetworkStream, CancellationToken, Task> _serve;
    private readonly Task _loop;

    /// <summary>Starts listening on a free port; <paramref name="serve"/> gets each connection's stream and a token cancelled at disposal.</summary>
    public LoopbackTcpServer(Func<NetworkStream, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await _serve(client.GetStream(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away (a test of limits, or a connection a server dropped on purpose); nothing to do.
            }
        }
    }
}

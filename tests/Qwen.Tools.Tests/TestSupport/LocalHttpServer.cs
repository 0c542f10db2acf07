using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Qwen.Tools.Tests.TestSupport;

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 for web tests: each request is answered by a callback; nothing leaves the machine.</summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, Response> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LocalHttpServer(Func<string, Response> handler)
    {
        _handler = handler;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Requests;

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

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
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, _stop.Token) == 1)
                {
                    head.Append((char)buffer[0]);
                }

                Interlocked.Increment(ref Requests);
                var path = head.ToString().Split(' ')[1];
                var response = _handler(path);
                if (response.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(response.Delay, _stop.Token);
                }

                var headers = new StringBuilder($"HTTP/1.1 {response.Status} Status\r\nConnection: close\r\n");
                if (response.ContentType is not null)
                {
                    headers.Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
                }

                if (response.Location is not null)
                {
                    headers.Append("Location: ").Append(response.Location).Append("\r\n");
                }

                if (!response.OmitLength)
                {
                    headers.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(headers.Append("\r\n").ToString()), _stop.Token);
                await stream.WriteAsync(response.Body, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The client gave up (a test of limits); nothing to do.
            }
        }
    }

    public sealed record Response(int Status, string? ContentType, byte[] Body)
    {
        public string? Location { get; init; }

        public TimeSpan Delay { get; init; }

        public bool OmitLength { get; init; }

        public static Response Html(string html) => new(200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(html));

        public static Response Redirect(string location) => new(302, null, []) { Location = location };
    }
}

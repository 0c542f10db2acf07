using System.Net.Sockets;
using System.Text;

namespace Qwen.Tools.Tests.TestSupport;

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 for web tests: each request is answered by a callback; nothing leaves the machine.</summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly Func<string, Response> _handler;
    private readonly LoopbackTcpServer _server;

    public LocalHttpServer(Func<string, Response> handler)
    {
        _handler = handler;
        _server = new LoopbackTcpServer(ServeAsync);
    }

    public int Requests;

    public string Url(string path) => $"http://127.0.0.1:{_server.Port}{path}";

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ServeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, cancellationToken) == 1)
        {
            head.Append((char)buffer[0]);
        }

        Interlocked.Increment(ref Requests);
        var path = head.ToString().Split(' ')[1];
        var response = _handler(path);
        if (response.Delay > TimeSpan.Zero)
        {
            await Task.Delay(response.Delay, cancellationToken);
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

        await stream.WriteAsync(Encoding.ASCII.GetBytes(headers.Append("\r\n").ToString()), cancellationToken);
        await stream.WriteAsync(response.Body, cancellationToken);
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

using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Qwen.Tools;

/// <summary>
/// Fetches HTTP and HTTPS URLs within limits: size, time, number of redirects, and (unless allowed) only public addresses,
/// checked on every redirect and at connect time so that DNS tricks cannot reach a private address.
/// </summary>
public sealed class WebFetcher : IDisposable
{
    private readonly WebFetchOptions _options;
    private readonly HttpClient _client;

    /// <summary>Initializes a new instance of the <see cref="WebFetcher"/> class.</summary>
    /// <param name="options">The limits; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public WebFetcher(WebFetchOptions? options = null)
    {
        _options = options ?? new WebFetchOptions();
        _options.Validate();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
            UseProxy = false,
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
    }

    /// <summary>Gets the limits in force.</summary>
    public WebFetchOptions Options => _options;

    /// <summary>Fetches <paramref name="url"/>, following redirects within the limits.</summary>
    /// <param name="url">An absolute HTTP or HTTPS URL.</param>
    /// <param name="maxBytes">The most bytes the body may have; <see cref="WebFetchOptions.MaxBytes"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>The fetched resource.</returns>
    /// <exception cref="WebFetchException">The URL is refused, fails, is too large or too slow; the message says which.</exception>
    public async Task<WebResource> FetchAsync(string url, long? maxBytes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var limit = maxBytes ?? _options.MaxBytes;
        var current = ParseUrl(url, url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                await CheckHostAsync(url, current, timeout.Token).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    if (redirects >= _options.MaxRedirects)
                    {
                        throw new WebFetchException(url, $"more than {_options.MaxRedirects} redirects.");
                    }

                    var location = response.Headers.Location
                        ?? throw new WebFetchException(url, $"a {(int)response.StatusCode} redirect without a Location header.");
                    current = ParseUrl(url, new Uri(current, location).AbsoluteUri);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new WebFetchException(url, $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                }

                var body = await ReadBodyAsync(url, response.Content, limit, timeout.Token).ConfigureAwait(false);
                var contentType = response.Content.Headers.ContentType;
                return new WebResource(current, contentType?.MediaType?.ToLowerInvariant(), contentType?.CharSet?.Trim('"'), body);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebFetchException(url, $"no complete answer within {_options.Timeout.TotalSeconds:0.#} s.", e);
        }
        catch (HttpRequestException e)
        {
            throw new WebFetchException(url, e.InnerException is WebFetchException inner ? inner.Reason : e.Message, e);
        }
        catch (IOException e)
        {
            throw new WebFetchException(url, $"the connection failed ({e.Message}).", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static Uri ParseUrl(string original, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new WebFetchException(original, "not an absolute URL.");
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new WebFetchException(original, $"the scheme '{uri.Scheme}' is not allowed; only http and https URLs are fetched.");
        }

        return uri;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(string url, HttpContent content, long limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > limit)
        {
            throw new WebFetchException(url, $"the body is {declared:N0} bytes, over the limit of {limit:N0} bytes.");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new WebFetchException(url, $"the body is over the limit of {limit:N0} bytes.");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        }
    }

    /// <summary>Refuses a URL whose host is a non-public address literal or resolves only to non-public addresses (a fast, clear early answer).</summary>
    private async Task CheckHostAsync(string original, Uri uri, CancellationToken cancellationToken)
    {
        if (_options.AllowPrivateNetworks)
        {
            return;
        }

        if (uri.IsLoopback)
        {
            throw PrivateAddress(original, uri.Host);
        }

        var addresses = IPAddress.TryParse(uri.DnsSafeHost, out var literal)
            ? [literal]
            : await ResolveAsync(original, uri.DnsSafeHost, cancellationToken).ConfigureAwait(false);
        if (!addresses.Any(NetworkAddressPolicy.IsPublic))
        {
            throw PrivateAddress(original, uri.Host);
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        // The address actually connected to is checked here too, so a name that resolves differently the second time is still caught.
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await ResolveAsync(host, host, cancellationToken).ConfigureAwait(false);
        var allowed = _options.AllowPrivateNetworks ? addresses : addresses.Where(NetworkAddressPolicy.IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw PrivateAddress(context.InitialRequestMessage.RequestUri?.AbsoluteUri ?? host, host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string original, string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new WebFetchException(original, $"the host '{host}' could not be resolved ({e.Message}).", e);
        }
    }

    private static WebFetchException PrivateAddress(string url, string host) =>
        new(url, $"'{host}' is a loopback, private or otherwise non-public address; set {nameof(WebFetchOptions)}.{nameof(WebFetchOptions.AllowPrivateNetworks)} to allow it.");
}

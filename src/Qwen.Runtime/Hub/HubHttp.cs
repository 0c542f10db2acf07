using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;

namespace Qwen.Runtime;

/// <summary>The Hub's HTTP API as the client uses it: revision info, file metadata (HEAD) and file bodies (GET with a range), with errors mapped to <see cref="HubException"/>.</summary>
internal sealed class HubHttp : IDisposable
{
    private const int MaxRedirects = 5;
    private static readonly ProductInfoHeaderValue UserAgent = new("qwen-agents", typeof(HubHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    private readonly HubSettings _settings;
    private readonly HttpClient _client;

    public HubHttp(HubSettings settings)
    {
        _settings = settings;

        // Redirects are followed by hand: a HEAD must see the LFS headers of the first answer, and the token must not follow a redirect to another host.
        _client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = settings.Timeout, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The commit a revision points at and the repository's files.</summary>
    public async Task<(string Commit, IReadOnlyList<string> Files)> GetRevisionAsync(ModelReference model, CancellationToken cancellationToken)
    {
        var uri = new Uri(_settings.Endpoint, $"api/models/{model.RepoId}/revision/{Uri.EscapeDataString(model.Revision)}");
        using var response = await SendAsync(HttpMethod.Get, uri, 0, _ => true, model, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, model, file: null).ConfigureAwait(false);
        string json;
        using (var timeout = TimeoutAfter(cancellationToken))
        {
            json = await ReadBodyAsync(response, model, timeout.Token, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var sha = root.TryGetProperty("sha", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (sha is null || !ModelReference.IsCommitHash(sha) || !root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
            {
                throw new HubException(HubErrorKind.Protocol, $"{_settings.EndpointText} answered {uri.AbsolutePath} without a commit 'sha' and a 'siblings' list; is HF_ENDPOINT a Hugging Face Hub?");
            }

            var files = siblings.EnumerateArray()
                .Select(f => f.ValueKind == JsonValueKind.Object && f.TryGetProperty("rfilename", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null)
                .OfType<string>()
                .ToList();
            return (sha, files);
        }
        catch (JsonException e)
        {
            throw new HubException(HubErrorKind.Protocol, $"{_settings.EndpointText} answered {uri.AbsolutePath} with invalid JSON ({e.Message}); is HF_ENDPOINT a Hugging Face Hub?", e);
        }
    }

    /// <summary>A file's blob id (sha256 for LFS files, the git object id otherwise) and size, from a HEAD that does not follow the LFS redirect.</summary>
    public async Task<RemoteFile> HeadAsync(ModelReference model, string commit, string file, CancellationToken cancellationToken)
    {
        // Only redirects without file metadata (a renamed repository) are followed; the LFS redirect's own headers are what we need.
        using var response = await SendAsync(HttpMethod.Head, ResolveUri(model, commit, file), 0, r => Header(r, "X-Linked-Etag") is null && r.Headers.ETag is null, model, file, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode is < 300 or >= 400)
        {
            await EnsureSuccessAsync(response, model, file).ConfigureAwait(false);
        }

        var linkedEtag = Header(response, "X-Linked-Etag");
        var etag = NormalizeEtag(linkedEtag ?? response.Headers.ETag?.Tag);
        var sizeText = Header(response, "X-Linked-Size");
        long? size = sizeText is not null && long.TryParse(sizeText, out var linked) ? linked : response.Content.Headers.ContentLength;
        if (etag is null || size is null || etag.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
        {
            throw new HubException(HubErrorKind.Protocol, $"{_settings.EndpointText} gave no usable ETag and size for {model.RepoId}/{file}; is HF_ENDPOINT a Hugging Face Hub?");
        }

        return new RemoteFile(file, etag, size.Value, IsSha256(etag));
    }

    /// <summary>Starts a GET of a file's body from <paramref name="offset"/>, following redirects to the LFS store.</summary>
    public async Task<HttpResponseMessage> GetFileAsync(ModelReference model, string commit, string file, long offset, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, ResolveUri(model, commit, file), offset, _ => true, model, file, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            try
            {
                await EnsureSuccessAsync(response, model, file).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        return response;
    }

    /// <summary>A token source that fires after the network timeout, linked to the caller's.</summary>
    public CancellationTokenSource TimeoutAfter(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_settings.Timeout);
        return source;
    }

    /// <summary>The error for a network failure: names the host and what to do instead.</summary>
    public HubException NetworkError(ModelReference model, Exception cause, string? detail = null) =>
        new(HubErrorKind.Network,
            $"Could not download {model} from {_settings.Endpoint.Authority}: {detail ?? cause.Message}. Check the network (or set HF_ENDPOINT to a mirror), set HF_HUB_OFFLINE=1 to use only models already in the cache, or pass a local checkpoint folder.",
            cause);

    public void Dispose() => _client.Dispose();

    private static bool IsSha256(string etag) => etag.Length == 64 && etag.All(char.IsAsciiHexDigit);

    private static string? NormalizeEtag(string? etag) => etag is null ? null : (etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag).Trim('"');

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private Uri ResolveUri(ModelReference model, string commit, string file) =>
        new(_settings.Endpoint, $"{model.RepoId}/resolve/{commit}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, long offset, Func<HttpResponseMessage, bool> follow, ModelReference model, string? file, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.UserAgent.Add(UserAgent);

            // As huggingface_hub does: a compressed answer would lose the Content-Length that sizes a file, and the bytes the sha256 covers.
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            if (_settings.Token is { } token && uri.Authority == _settings.Endpoint.Authority)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }

            HttpResponseMessage response;
            using (var timeout = TimeoutAfter(cancellationToken))
            {
                try
                {
                    response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                }
                catch (HttpRequestException e)
                {
                    throw NetworkError(model, e, file is null ? null : $"{e.Message} (asking for {file})");
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw NetworkError(model, e, $"no answer within {_settings.Timeout.TotalSeconds:0.#} s{(file is null ? string.Empty : $" (asking for {file})")}");
                }
            }

            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is not { } location || !follow(response))
            {
                return response;
            }

            response.Dispose();
            if (hop == MaxRedirects)
            {
                throw new HubException(HubErrorKind.Protocol, $"{_settings.EndpointText} redirected {model} more than {MaxRedirects} times.");
            }

            uri = new Uri(uri, location);
        }
    }

    private async Task<string> ReadBodyAsync(HttpResponseMessage response, ModelReference model, CancellationToken timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw NetworkError(model, e);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, ModelReference model, string? file)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = Header(response, "X-Error-Code");
        var serverMessage = Header(response, "X-Error-Message");
        if (serverMessage is null && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            try
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                serverMessage = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
            }
            catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
            {
                // The status code alone says enough.
            }
        }

        var status = (int)response.StatusCode;
        var said = serverMessage is null ? $"HTTP {status}" : $"HTTP {status}: {serverMessage}";
        var where = _settings.EndpointText;
        throw (status, code) switch
        {
            (_, "RepoNotFound") or (404, null) when file is null => new HubException(HubErrorKind.RepositoryNotFound,
                $"Model {model.RepoId} was not found on {where} ({said}). Check the name (for example Qwen/Qwen3-0.6B), or the path if you meant a local folder; a private repository also needs HF_TOKEN."),
            (_, "GatedRepo") or (401 or 403, _) => new HubException(HubErrorKind.Unauthorized,
                $"Model {model.RepoId} on {where} is gated or private ({said}). {(_settings.Token is null ? "No token was sent: accept its terms on the model's page, create an access token, and set HF_TOKEN=hf_... (or put the token in $HF_HOME/token)." : "The token sent (HF_TOKEN or $HF_HOME/token) has no access to it: accept its terms on the model's page with that account, or use another token.")}"),
            (_, "RevisionNotFound") => new HubException(HubErrorKind.RevisionNotFound,
                $"Model {model.RepoId} has no branch, tag or commit '{model.Revision}' on {where} ({said})."),
            (404, _) => new HubException(HubErrorKind.Protocol, $"{model.RepoId}/{file} was listed by {where} but could not be fetched ({said})."),
            _ => new HubException(status >= 500 ? HubErrorKind.Network : HubErrorKind.Protocol,
                $"{where} refused {model}{(file is null ? string.Empty : "/" + file)} ({said}).{(status >= 500 ? " The Hub may be down: try again later, set HF_HUB_OFFLINE=1 to use only the cache, or pass a local checkpoint folder." : string.Empty)}"),
        };
    }
}

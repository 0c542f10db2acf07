using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Qwen.Runtime;

/// <summary>The <see cref="IChatClient"/> singleton <c>AddQwenChatClient</c> registers: loads the model once, on first use or at host start, and disposes it with the container.</summary>
internal sealed class HostedQwenChatClient : IChatClient
{
    private readonly Lazy<QwenChatClient> _client;
    private readonly object _gate = new();
    private bool _disposed;

    public HostedQwenChatClient(IOptions<QwenHostingOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = new Lazy<QwenChatClient>(() => Load(options.Value, loggerFactory), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Loads the model if it is not loaded yet, off the caller's thread.</summary>
    public Task<QwenChatClient> GetClientAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        return _client.IsValueCreated ? Task.FromResult(_client.Value) : Task.Run(() => _client.Value, cancellationToken);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        // Metadata and the model only exist once loaded; asking for them loads the model.
        return serviceKey is null && (serviceType == typeof(ChatClientMetadata) || serviceType == typeof(QwenModel) || serviceType == typeof(QwenChatClient))
            ? _client.Value.GetService(serviceType)
            : null;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private static QwenChatClient Load(QwenHostingOptions options, ILoggerFactory? loggerFactory) =>
        QwenChatClient.Load(options.ModelPath!, options.Model, options.Chat, options.LoadProgress, loggerFactory);
}

using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>A chat client served under a model id: <c>GET /v1/models</c> lists it and <c>"model": id</c> in a request picks it.</summary>
public sealed class ServedModel
{
    /// <summary>Initializes a new instance of the <see cref="ServedModel"/> class.</summary>
    /// <param name="id">The model id clients send.</param>
    /// <param name="client">The chat client that answers; the caller keeps ownership.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public ServedModel(string id, IChatClient client)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(client);
        Id = id;
        Client = client;
    }

    /// <summary>Gets the model id clients send.</summary>
    public string Id { get; }

    /// <summary>Gets the chat client that answers.</summary>
    public IChatClient Client { get; }
}

using Microsoft.Extensions.AI;
using Qwen.Runtime;

namespace Qwen.Server.Tests;

/// <summary>The qwen2_tiny fixture checkpoint loaded once for the test run (random weights: its answers are noise, but greedy ones are repeatable).</summary>
public sealed class TinyModel : IDisposable
{
    public TinyModel()
    {
        Client = QwenChatClient.Load(Directory, new QwenModelOptions { Device = "cpu" }, new QwenChatClientOptions { ModelId = "qwen2-tiny" });
    }

    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-models", "qwen2_tiny");

    public IChatClient Client { get; }

    public void Dispose() => Client.Dispose();
}

/// <summary>Tests sharing <see cref="TinyModel"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModel>
{
    public const string Name = "tiny model";
}

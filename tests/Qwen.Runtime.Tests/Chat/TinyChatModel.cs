namespace Qwen.Runtime.Tests;

/// <summary>
/// A random-weight Qwen3 written with the qwen3_tiny fixture's tokenizer and chat template, loaded once per test class.
/// (The fixture's own weights greedily repeat one newline, which the chat client rightly reports as no text.)
/// </summary>
public sealed class TinyChatModel : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TinyChatModel()
    {
        TinyModelWriter.Write(_directory.Path, new TinyModelOptions { Architecture = "qwen3", HeadDim = 32, TokenizerDirectory = Fixtures.TinyModel("qwen3_tiny"), Seed = 11 });
        Model = QwenModel.Load(_directory.Path, new QwenModelOptions { Device = "cpu" });
        Client = new QwenChatClient(Model);
    }

    public string Directory => _directory.Path;

    public QwenModel Model { get; }

    public QwenChatClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        Model.Dispose();
        _directory.Dispose();
    }
}

namespace Qwen.Tools.Tests;

/// <summary>One interpreter with the default limits, shared by the tests of a class (each test uses sessions of its own).</summary>
public sealed class InterpreterFixture : IAsyncLifetime
{
    public Qwen.Tools.CodeInterpreter Interpreter { get; } = TestInterpreters.Create(o => o.PrewarmWorker = true);

    /// <summary>A session the tests of a class may share when what they run leaves no state behind.</summary>
    public string SharedSession { get; } = TestInterpreters.NewSession();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Interpreter.DisposeAsync();
}

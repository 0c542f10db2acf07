namespace Qwen.Tools.Tests;

/// <summary>One interpreter with the default limits, shared by the tests of a class (each test uses sessions of its own).</summary>
public sealed class InterpreterFixture : IAsyncLifetime
{
    public Qwen.Tools.CodeInterpreter Interpreter { get; } = TestInterpreters.Create();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Interpreter.DisposeAsync();
}

namespace Qwen.Tools.Tests;

public sealed class CodeInterpreterTests(InterpreterFixture fixture) : IClassFixture<InterpreterFixture>
{
    private readonly Qwen.Tools.CodeInterpreter _interpreter = fixture.Interpreter;

    [Fact]
    public async Task ExecuteAsync_LastExpression_ReturnsItsValue()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "const a = 20;\na * 2 + 2");

        Assert.True(result.Succeeded, result.ToText());
        Assert.Equal("42", result.Value);
        Assert.Equal(string.Empty, result.Output);
        Assert.Equal("42", result.ToText());
    }

    [Fact]
    public async Task ExecuteAsync_PrintedOutput_IsCollectedInOrder()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "console.log('one', 2); print('three'); console.error('four'); undefined");

        Assert.Equal("one 2\nthree\nfour\n", result.Output);
        Assert.Null(result.Value);
    }

    [Fact]
    public async Task ExecuteAsync_StatementsThatProduceNothing_SayNoOutput()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "function f() {}");

        Assert.Equal("(no output)", result.ToText());
    }

    [Fact]
    public async Task ExecuteAsync_VariablesAndFunctions_PersistAcrossCalls()
    {
        var session = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(session, "var a = 1; let b = 2; const c = 3; function add(x, y) { return x + y } class Point { constructor(x) { this.x = x } } implicit = 4;");

        var result = await _interpreter.ExecuteAsync(session, "add(a, b) + c + implicit + new Point(5).x");

        Assert.Equal("15", result.Value);
    }

    [Fact]
    public async Task ExecuteAsync_RedeclaredConst_ReplacesTheOldValueLikeANotebookCell()
    {
        var session = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(session, "const data = [1, 2];");

        var result = await _interpreter.ExecuteAsync(session, "const data = [3, 4, 5];\ndata.length");

        Assert.True(result.Succeeded, result.ToText());
        Assert.Equal("3", result.Value);
    }

    [Fact]
    public async Task ExecuteAsync_TwoSessions_DoNotShareState()
    {
        var first = TestInterpreters.NewSession();
        var second = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(first, "var secret = 'first'; globalThis.shared = 1;");

        var result = await _interpreter.ExecuteAsync(second, "[typeof secret, typeof shared]");

        Assert.Equal("[ 'undefined', 'undefined' ]", result.Value);
    }

    [Fact]
    public async Task ExecuteAsync_UncaughtError_ReportsItsTypeMessageLineAndColumnAndKeepsOutput()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "console.log('before');\n\n  null.foo;");

        Assert.False(result.Succeeded);
        Assert.Equal(CodeErrorKind.Exception, result.Error!.Kind);
        Assert.Equal("TypeError", result.Error.Name);
        Assert.Contains("reading 'foo'", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(3, result.Error.Line);
        Assert.Equal(8, result.Error.Column);
        Assert.Equal("before\n", result.Output);
        Assert.Contains("Error: TypeError: Cannot read properties of null (reading 'foo') (line 3, column 8)", result.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ErrorInsideAFunction_ShowsTheCallStack()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "function inner() { throw new RangeError('too far') }\nfunction outer() { inner() }\nouter()");

        Assert.Equal("RangeError", result.Error!.Name);
        Assert.Equal("too far", result.Error.Message);
        Assert.Contains("inner", result.Error.StackTrace, StringComparison.Ordinal);
        Assert.Contains("outer", result.Error.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_SyntaxError_ReportsSyntaxKindAndPosition()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "let ok = 1;\nlet = = 2;");

        Assert.Equal(CodeErrorKind.Syntax, result.Error!.Kind);
        Assert.Equal("SyntaxError", result.Error.Name);
        Assert.Equal("Unexpected token '='", result.Error.Message);
        Assert.Equal((2, 7), (result.Error.Line, result.Error.Column));
    }

    [Fact]
    public async Task ExecuteAsync_TopLevelAwait_IsASyntaxErrorThatSaysSo()
    {
        var result = await _interpreter.ExecuteAsync(fixture.SharedSession, "await Promise.resolve(1)");

        Assert.Equal(CodeErrorKind.Syntax, result.Error!.Kind);
        Assert.Contains("await is only valid in async functions", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ThrownNonError_ReportsTheValue()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "throw { code: 42 }");

        Assert.Equal("Uncaught", result.Error!.Name);
        Assert.Equal("{ code: 42 }", result.Error.Message);
    }

    [Fact]
    public async Task ExecuteAsync_AfterAnError_EarlierStateIsKept()
    {
        var session = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(session, "var kept = 'yes'");
        await _interpreter.ExecuteAsync(session, "undefinedFunction()");

        var result = await _interpreter.ExecuteAsync(session, "kept");

        Assert.Equal("'yes'", result.Value);
    }

    [Fact]
    public async Task ExecuteAsync_AsyncCode_ResultIsAwaited()
    {
        var session = TestInterpreters.NewSession();

        var fulfilled = await _interpreter.ExecuteAsync(session, "(async () => { await null; return 5 })()");
        var rejected = await _interpreter.ExecuteAsync(session, "(async () => { await null; throw new TypeError('late') })()");
        var pending = await _interpreter.ExecuteAsync(session, "new Promise(() => {})");

        Assert.Equal("5", fulfilled.Value);
        Assert.Equal("TypeError", rejected.Error!.Name);
        Assert.Equal("(in promise) late", rejected.Error.Message);
        Assert.Equal("'Promise { <pending> }'", pending.Value);
    }

    [Fact]
    public async Task ExecuteAsync_Values_AreShownLikeNode()
    {
        var session = TestInterpreters.NewSession();

        Assert.Equal("{\n  a: 1,\n  s: 'x',\n  n: null,\n  list: [ 1, 2 ],\n  nested: { deep: { deeper: [Object] } }\n}", (await _interpreter.ExecuteAsync(session, "({ a: 1, s: 'x', n: null, list: [1, 2], nested: { deep: { deeper: { deepest: 1 } } } })")).Value);
        Assert.Equal("{ a: 1, list: [ 'x', null ] }", (await _interpreter.ExecuteAsync(session, "({ a: 1, list: ['x', null] })")).Value);
        Assert.Equal("Map(1) { 'k' => [ 1 ] }", (await _interpreter.ExecuteAsync(session, "new Map([['k', [1]]])")).Value);
        Assert.Equal("Set(2) { 1, 'two' }", (await _interpreter.ExecuteAsync(session, "new Set([1, 'two'])")).Value);
        Assert.Equal("2020-01-03T00:00:00.000Z", (await _interpreter.ExecuteAsync(session, "new Date(Date.UTC(2020, 0, 3))")).Value);
        Assert.Equal("[Function: add]", (await _interpreter.ExecuteAsync(session, "function add() {}; add")).Value);
        Assert.Equal("Point { x: 1 }", (await _interpreter.ExecuteAsync(session, "class Point { constructor() { this.x = 1 } }; new Point()")).Value);
        Assert.Equal("{ self: [Circular] }", (await _interpreter.ExecuteAsync(session, "const o = {}; o.self = o; o")).Value);
        Assert.Equal("{ x: [Getter] }", (await _interpreter.ExecuteAsync(session, "({ get x() { while (true) {} } })")).Value);
        Assert.Equal("'it''s'".Replace("''", "\\'", StringComparison.Ordinal), (await _interpreter.ExecuteAsync(session, "\"it's\"")).Value);
        Assert.StartsWith("[\n  0,\n  1,", (await _interpreter.ExecuteAsync(session, "Array.from({ length: 200 }, (_, i) => i)")).Value, StringComparison.Ordinal);
        Assert.EndsWith("... 100 more items\n]", (await _interpreter.ExecuteAsync(session, "Array.from({ length: 200 }, (_, i) => i)")).Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ConcurrentCallsToOneSession_RunOneAfterTheOther()
    {
        var session = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(session, "var counter = 0");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _interpreter.ExecuteAsync(session, "const before = counter; for (let i = 0; i < 10000; i++) {} counter = before + 1")));

        Assert.Equal("4", (await _interpreter.ExecuteAsync(session, "counter")).Value);
    }

    [Fact]
    public async Task ResetSessionAsync_DropsStateButKeepsFiles()
    {
        var session = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(session, "var x = 1; writeText('kept.txt', 'still here')");

        await _interpreter.ResetSessionAsync(session);
        var result = await _interpreter.ExecuteAsync(session, "[typeof x, readText('kept.txt')]");

        Assert.Equal("[ 'undefined', 'still here' ]", result.Value);
        Assert.Null(result.Notice);
    }

    [Fact]
    public async Task ExecuteAsync_InvalidSessionId_ThrowsArgumentExceptionNamingIt()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _interpreter.ExecuteAsync("../escape", "1"));

        Assert.Equal("sessionId", error.ParamName);
        Assert.Contains("../escape", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_CodeLongerThanTheLimit_ThrowsArgumentException()
    {
        await using var interpreter = TestInterpreters.Create(o => o.MaxCodeChars = 10);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => interpreter.ExecuteAsync("a", "1 + 1 + 1 + 1"));

        Assert.Equal("code", error.ParamName);
        Assert.Contains("MaxCodeChars", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_OutputBeyondTheLimit_IsCutAndSaysSo()
    {
        await using var interpreter = TestInterpreters.Create(o => o.MaxOutputChars = 100);

        var result = await interpreter.ExecuteAsync("a", "for (let i = 0; i < 100; i++) console.log('line ' + i); 'done'");

        Assert.True(result.OutputTruncated);
        Assert.Equal(100, result.Output.Length);
        Assert.Null(result.Value);
        Assert.Equal(("line 0\n".Length * 10) + ("line 10\n".Length * 90) - 100 + "'done'".Length, result.OmittedChars);
        Assert.Contains($"[output truncated: {result.OmittedChars} more characters were not shown]", result.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OptionOutOfRange_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Qwen.Tools.CodeInterpreter(new CodeInterpreterOptions { Timeout = TimeSpan.Zero }));

        Assert.Equal("Timeout", error.ParamName);
        Assert.Contains("CodeInterpreterOptions.Timeout", error.Message, StringComparison.Ordinal);
    }
}

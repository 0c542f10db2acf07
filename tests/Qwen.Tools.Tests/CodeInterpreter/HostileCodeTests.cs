using System.Diagnostics;

namespace Qwen.Tools.Tests;

/// <summary>Low limits for the hostile-code tests: 2 s of wall time, 64 MiB of allocation, 200-deep recursion, 250 ms regexes.</summary>
public sealed class HostileLimitsFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public Qwen.Tools.CodeInterpreter Interpreter { get; } = TestInterpreters.Create(o =>
    {
        o.Timeout = Timeout;
        o.MaxStatements = int.MaxValue;
        o.MaxAllocatedBytes = 64L << 20;
        o.MaxRecursionDepth = 200;
        o.RegexTimeout = TimeSpan.FromMilliseconds(250);
        o.PrewarmWorker = true;
    });

    /// <summary>
    /// The same limits but 30 s of wall time, for code that must be stopped by another limit than time: on a loaded
    /// machine a memory bomb may need more than 2 s to allocate its 64 MiB, and would then end as a timeout.
    /// </summary>
    public Qwen.Tools.CodeInterpreter Patient { get; } = TestInterpreters.Create(o =>
    {
        o.Timeout = PatientTimeout;
        o.MaxStatements = int.MaxValue;
        o.MaxAllocatedBytes = 64L << 20;
        o.MaxRecursionDepth = 200;
        o.PrewarmWorker = true;
    });

    public static readonly TimeSpan PatientTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A session the tests may share when what they run leaves no state behind.</summary>
    public string SharedSession { get; } = TestInterpreters.NewSession();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Interpreter.DisposeAsync();
        await Patient.DisposeAsync();
    }
}

public sealed class HostileCodeTests(HostileLimitsFixture fixture) : IClassFixture<HostileLimitsFixture>
{
    // Generous on a loaded machine, yet far below what an unstopped loop would take (forever).
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(8);
    private readonly Qwen.Tools.CodeInterpreter _interpreter = fixture.Interpreter;

    [Theory]
    [InlineData("while (true) {}")]
    [InlineData("while (true) { try { while (true) {} } catch (e) {} }")]
    [InlineData("for (;;) { try { for (;;) {} } finally { for (;;) {} } }")]
    [InlineData("const spin = () => { while (true) {} }; [1, 2, 3].map(spin)")]
    public async Task EndlessLoop_IsStoppedAtTheTimeLimitAndCannotBeCaught(string code)
    {
        var result = await RunBesideAWorkingSessionAsync(code, HostileLimitsFixture.Timeout + Slack);

        Assert.Equal(CodeErrorKind.Timeout, result.Error?.Kind);
        Assert.Equal("The code ran longer than 2 s, the limit for one call, and was stopped.", result.Error!.Message);
    }

    [Fact]
    public async Task EndlessLoop_IsStoppedAtTheStatementLimit()
    {
        await using var interpreter = TestInterpreters.Create(o => o.MaxStatements = 100_000);
        var clock = Stopwatch.StartNew();

        var result = await interpreter.ExecuteAsync("a", "let i = 0; while (true) { try { i++ } catch (e) {} }");

        Assert.Equal(CodeErrorKind.StatementLimit, result.Error?.Kind);
        Assert.Contains("more than 100,000 statements", result.Error!.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < Slack, clock.Elapsed.ToString());
    }

    [Theory]
    [InlineData("let s = 'x'; while (true) s += s;")]
    [InlineData("let a = [1]; while (true) a = a.concat(a);")]
    [InlineData("const parts = []; while (true) parts.push({ payload: new Array(100000).fill(parts.length) });")]
    [InlineData("new Array(2 ** 30).fill(0)")]
    [InlineData("(function loop() { Promise.resolve().then(loop) })()")]
    public async Task MemoryBomb_IsStoppedAtTheAllocationLimitAndTheSessionSurvives(string code)
    {
        var patient = fixture.Patient;
        var session = TestInterpreters.NewSession();
        await patient.ExecuteAsync(session, "var survivor = 'here'");

        var result = await RunBesideAWorkingSessionAsync(code, HostileLimitsFixture.PatientTimeout + Slack, session, patient);

        Assert.Equal(CodeErrorKind.MemoryLimit, result.Error?.Kind);
        Assert.Equal("'here'", (await patient.ExecuteAsync(session, "survivor")).Value);
    }

    [Fact]
    public async Task RetainedMemory_PastTheWorkerHeapCap_RestartsTheWorkerAndSaysSo()
    {
        await using var interpreter = TestInterpreters.Create(o =>
        {
            o.MaxAllocatedBytes = 16L << 30;
            o.WorkerMemoryLimit = 128L << 20;
            o.Timeout = TimeSpan.FromSeconds(20);
        });
        await interpreter.ExecuteAsync("a", "var before = 1");

        var result = await interpreter.ExecuteAsync("a", "globalThis.hoard = []; while (true) hoard.push(new Array(1e5).fill(1.5));");
        var next = await interpreter.ExecuteAsync("a", "[typeof hoard, typeof before]");

        Assert.Equal(CodeErrorKind.MemoryLimit, result.Error?.Kind);
        Assert.Contains("variables are lost", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("[ 'undefined', 'undefined' ]", next.Value);
    }

    [Theory]
    [InlineData("function f(n) { return f(n + 1) + 1 } f(0)")]
    [InlineData("function g() { try { return g() } catch (e) { return 0 } } g()")]
    [InlineData("({ get x() { return this.x } }).x")]
    [InlineData("const a = () => b(); const b = () => a(); a()")]
    public async Task DeepRecursion_IsStoppedAndCannotBeCaught(string code)
    {
        var result = await RunBesideAWorkingSessionAsync(code, Slack);

        Assert.Equal(CodeErrorKind.RecursionLimit, result.Error?.Kind);
        Assert.Contains("more than 200 times deep", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatastrophicRegex_IsStoppedAtTheRegexTimeLimit()
    {
        var result = await RunBesideAWorkingSessionAsync("/^(a+)+$/.test('a'.repeat(40) + '!')", Slack);

        Assert.Equal(CodeErrorKind.RegexTimeout, result.Error?.Kind);
        Assert.Contains("longer than 0.25 s", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrototypeTampering_DoesNotLeakIntoAnotherSession()
    {
        var tamperer = TestInterpreters.NewSession();
        var victim = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(victim, "1");

        var tampered = await _interpreter.ExecuteAsync(tamperer, """
            Object.prototype.polluted = 'yes';
            Array.prototype.push = function () { return 'hacked' };
            JSON.stringify = () => 'hacked';
            Object.freeze = null;
            Function.prototype.call = null;
            [({}).polluted, [].push(1)]
            """);
        var result = await _interpreter.ExecuteAsync(victim, "JSON.stringify([({}).polluted, [].push(1), typeof Object.freeze, typeof Function.prototype.call])");

        Assert.Equal("[ 'yes', 'hacked' ]", tampered.Value);
        Assert.Equal("'[null,1,\"function\",\"function\"]'", result.Value);
    }

    [Fact]
    public async Task HostAndClrObjects_AreNotReachable()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), """
            const names = ['System', 'importNamespace', 'clr', 'host', 'require', 'process', 'module', 'exports', 'fetch',
              'XMLHttpRequest', 'WebSocket', 'setTimeout', 'setInterval', 'Deno', 'Bun', 'ShadowRealm', 'Atomics',
              'SharedArrayBuffer', 'WebAssembly', 'Worker', 'importScripts'];
            const present = names.filter(n => typeof globalThis[n] !== 'undefined');
            const members = [typeof print.GetType, typeof readText.GetType, typeof console.log.GetType, typeof stats.GetType];
            JSON.stringify([present, members, String(readText)])
            """);

        Assert.Equal("'[[],[\"undefined\",\"undefined\",\"undefined\",\"undefined\"],\"function readText() { [native code] }\"]'", result.Value);
    }

    [Theory]
    [InlineData("importNamespace('System.IO')", "ReferenceError")]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')", "ReferenceError")]
    [InlineData("eval('1 + 1')", "TypeError")]
    [InlineData("new Function('return this')()", "TypeError")]
    [InlineData("(() => {}).constructor('return 1')()", "TypeError")]
    [InlineData("readText.constructor('return 1')()", "TypeError")]
    [InlineData("Object.getPrototypeOf(async function () {}).constructor('return 1')", "TypeError")]
    [InlineData("Object.getPrototypeOf(function* () {}).constructor('yield 1')", "TypeError")]
    [InlineData("setTimeout(() => {}, 1)", "ReferenceError")]
    [InlineData("require('child_process')", "ReferenceError")]
    [InlineData("import('fs')", "TypeError")]
    [InlineData("import fs from 'fs'", "SyntaxError")]
    public async Task EscapeAttempt_Fails(string code, string errorName)
    {
        var result = await _interpreter.ExecuteAsync(fixture.SharedSession, code);

        Assert.False(result.Succeeded, result.ToText());
        Assert.Equal(errorName, result.Error!.Name);
    }

    [Fact]
    public async Task FloodOfOutput_IsCutAndTheSessionSurvives()
    {
        var session = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(session, "var survivor = 'here'");

        var result = await RunBesideAWorkingSessionAsync("while (true) console.log('x'.repeat(1000))", HostileLimitsFixture.Timeout + Slack, session);

        // Whichever limit stops it first (time, or the allocations of all those lines), the output stays cut at its limit.
        Assert.Contains(result.Error?.Kind, new CodeErrorKind?[] { CodeErrorKind.Timeout, CodeErrorKind.MemoryLimit });
        Assert.True(result.OutputTruncated);
        Assert.Equal(20_000, result.Output.Length);
        Assert.Equal("'here'", (await _interpreter.ExecuteAsync(session, "survivor")).Value);
    }

    [Fact]
    public async Task HugeString_IsCutQuicklyAndItsLengthReported()
    {
        var result = await RunBesideAWorkingSessionAsync("const huge = 'x'.repeat(2 ** 22); print(huge); huge", Slack);

        Assert.True(result.Succeeded, result.ToText());
        Assert.Equal(20_000, result.Output.Length);
        Assert.Null(result.Value);
        Assert.Equal((1L << 22) + 1 - 20_000 + (1L << 22) + 2, result.OmittedChars);
    }

    [Fact]
    public async Task HugeErrorMessage_IsCut()
    {
        var result = await _interpreter.ExecuteAsync(fixture.SharedSession, "throw new Error('x'.repeat(5e6))");

        Assert.Equal(CodeErrorKind.Exception, result.Error?.Kind);
        Assert.EndsWith("... (4998000 more characters)", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileValues_AreShownWithoutRunningTheirCode()
    {
        var session = TestInterpreters.NewSession();

        var getter = await _interpreter.ExecuteAsync(session, "({ get trap() { while (true) {} } })");
        var proxy = await _interpreter.ExecuteAsync(session, "new Proxy({}, { ownKeys() { while (true) {} }, get() { while (true) {} } })");
        var thrown = await _interpreter.ExecuteAsync(session, "throw { get message() { while (true) {} }, code: 1 }");
        var error = await _interpreter.ExecuteAsync(session, "const e = new Error('m'); Object.defineProperty(e, 'name', { get() { while (true) {} } }); throw e");

        Assert.Equal("{ trap: [Getter] }", getter.Value);
        Assert.Equal("[Proxy]", proxy.Value);
        Assert.Contains(thrown.Error!.Kind, new[] { CodeErrorKind.Exception, CodeErrorKind.Timeout });
        Assert.Equal(("Error", "m"), (error.Error!.Name, error.Error.Message));
    }

    /// <summary>Runs hostile code in a session of its own while another session answers calls, and checks the time it took.</summary>
    private async Task<CodeExecutionResult> RunBesideAWorkingSessionAsync(string code, TimeSpan within, string? session = null, Qwen.Tools.CodeInterpreter? interpreter = null)
    {
        interpreter ??= _interpreter;
        var bystander = TestInterpreters.NewSession();
        await interpreter.ExecuteAsync(bystander, "var calls = 0");
        session ??= TestInterpreters.NewSession();

        // Both workers are started before the clock starts: the limit is on running the code, not on starting a process.
        await interpreter.ExecuteAsync(session, "0");
        var clock = Stopwatch.StartNew();

        var hostile = interpreter.ExecuteAsync(session, code);
        var answers = 0;
        while (!hostile.IsCompleted)
        {
            var answer = await interpreter.ExecuteAsync(bystander, "++calls");
            Assert.True(answer.Succeeded, answer.ToText());
            Assert.Equal((++answers).ToString(System.Globalization.CultureInfo.InvariantCulture), answer.Value);
            await Task.Delay(50);
        }

        var result = await hostile;
        Assert.True(clock.Elapsed < within, $"took {clock.Elapsed}, more than {within}: {result.ToText()}");
        Assert.True(answers > 0 || clock.Elapsed < TimeSpan.FromMilliseconds(500), "the other session answered no call while the hostile code ran");
        return result;
    }
}

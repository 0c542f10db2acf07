using System.Globalization;
using System.Text.RegularExpressions;
using Acornima;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Runtime;

namespace Qwen.Tools;

/// <summary>
/// One session's JavaScript engine, with the helpers installed and every limit set, running calls one at a time.
/// It lives in the worker process; nothing in it can reach .NET types, other files than the work directory's, the
/// network or processes.
/// </summary>
internal sealed class JsSandbox
{
    private const int MaxStackLines = 10;

    // An error message is the code's to choose: `throw new Error(hugeString)` must not make an unbounded answer.
    private const int MaxErrorChars = 2_000;

    private readonly WorkerSettings _settings;
    private readonly CallCancellation _cancellation = new();
    private readonly RefusingModuleLoader _modules = new();
    private readonly SandboxContext _context;

    public JsSandbox(WorkerSettings settings)
    {
        _settings = settings;
        var engine = new Engine(options =>
        {
            // Sloppy mode, as in a browser console or notebook: `x = 5` defines x rather than failing. It opens no door
            // to the host; the realm below is the whole world the code can see.
            options.Strict = false;
            options.Interop.Enabled = false;
            options.DisableStringCompilation();
            options.TimeZone = TimeZoneInfo.Utc;
            options.TimeoutInterval(TimeSpan.FromMilliseconds(settings.TimeoutMs));
            options.MaxStatements(settings.MaxStatements);
            options.LimitMemory(settings.MaxAllocatedBytes);
            options.LimitRecursion(settings.MaxRecursionDepth);
            options.Constraints.StackOverflowGuard = true;
            options.Constraints.RegexTimeout = TimeSpan.FromMilliseconds(settings.RegexTimeoutMs);
            options.Constraints.MaxArraySize = SandboxContext.MaxArrayLength;
            options.Constraint(_cancellation);
            options.EnableModules(_modules);
        });
        _modules.Engine = engine;

        // ShadowRealm would hand out a second set of intrinsics and its own string evaluation; Atomics.wait blocks the
        // thread where no statement limit can see it, and shared memory means nothing with one thread. None is offered.
        foreach (var name in new[] { "ShadowRealm", "Atomics", "SharedArrayBuffer" })
        {
            engine.Global.Delete(name);
        }
        _context = new SandboxContext(engine, settings);
        SandboxConsole.Install(_context);
        SandboxFiles.Install(_context);
        SandboxStats.Install(_context);
        SandboxPlot.Install(_context);
    }

    /// <summary>Runs <paramref name="code"/> and reports what it printed, its last value or its error, and the images it drew.</summary>
    public WorkerResponse Execute(long id, string code, CancellationToken cancellationToken)
    {
        var output = _context.Output;
        output.Clear();
        _context.Images.Clear();
        _context.BytesWritten = 0;
        _cancellation.Begin(cancellationToken);
        var response = new WorkerResponse { Type = WorkerResponse.Result, Id = id };
        try
        {
            var script = TopLevelDeclarations.Prepare(code);
            var value = Settle(_context.Engine.Evaluate(in script));
            if (!value.IsUndefined())
            {
                response.Value = FormatValue(value, output);
            }
        }
        catch (OutOfMemoryException)
        {
            response.Error = Error(CodeErrorKind.MemoryLimit, "MemoryLimitError", "The worker process ran out of memory (its heap is capped) and has to restart; this session's variables are lost.");
            response.Fatal = true;
        }
        catch (Exception e)
        {
            response.Error = Describe(e);
        }

        response.Output = output.Text;
        response.OutputTruncated = output.Truncated;
        response.OmittedChars = output.OmittedChars;
        response.Images.AddRange(_context.Images);
        return response;
    }

    /// <summary>The settled value of a promise the code ended with (an async function's result); other values as they are.</summary>
    private static JsValue Settle(JsValue value)
    {
        if (!value.IsPromise())
        {
            return value;
        }

        try
        {
            // No timers exist here, so once the pending jobs have run a promise is settled or never will be: a short wait suffices.
            return value.UnwrapIfPromise(TimeSpan.FromMilliseconds(1));
        }
        catch (PromiseRejectedException e) when (e.RejectedValue is JsString text && IsUnwrapTimeout(text.ToString()))
        {
            return new JsString("Promise { <pending> }");
        }
    }

    /// <summary>Jint reports a promise still pending after the wait as one rejected with "Timeout of {time} reached".</summary>
    private static bool IsUnwrapTimeout(string text) =>
        text.StartsWith("Timeout of ", StringComparison.Ordinal) && text.EndsWith(" reached", StringComparison.Ordinal) && text.Length < 64;

    /// <summary>The last value as text, cut to what the output limit leaves after the printed output.</summary>
    private static string? FormatValue(JsValue value, OutputBuffer output)
    {
        var room = Math.Max(output.Remaining, 0);
        var text = JsValueFormatter.Format(value, quoteStrings: true, budget: room + 1);
        if (text.Length <= room)
        {
            return text;
        }

        // A long string is only formatted as far as it is shown; count the rest from its length.
        var length = value is JsString s ? s.Length + 2 : text.Length;
        output.Omit(length - room);
        return room == 0 ? null : text[..room];
    }

    private WorkerError Describe(Exception exception) => exception switch
    {
        ParseErrorException parse => new WorkerError
        {
            Kind = CodeErrorKind.Syntax,
            Name = "SyntaxError",
            Message = parse.Description,
            Line = parse.LineNumber,
            Column = parse.Column + 1,
        },
        JavaScriptException script => Script(script.Error, script.Location.Start.Line, script.Location.Start.Column + 1, script.JavaScriptStackTrace, uncaughtPromise: false),
        PromiseRejectedException rejected => Script(rejected.RejectedValue, null, null, null, uncaughtPromise: true),
        StatementsCountOverflowException => Error(
            CodeErrorKind.StatementLimit,
            "StatementLimitError",
            $"The code executed more than {_settings.MaxStatements.ToString("N0", CultureInfo.InvariantCulture)} statements, the limit for one call, and was stopped (an endless loop?)."),
        // Before TimeoutException, of which it is a kind.
        RegexMatchTimeoutException => Error(
            CodeErrorKind.RegexTimeout,
            "RegexTimeoutError",
            $"A regular expression ran longer than {Seconds(_settings.RegexTimeoutMs)}, the limit for one match, and was stopped (catastrophic backtracking?)."),
        TimeoutException => Error(
            CodeErrorKind.Timeout,
            "TimeoutError",
            $"The code ran longer than {Seconds(_settings.TimeoutMs)}, the limit for one call, and was stopped."),
        MemoryLimitExceededException memory => Error(
            CodeErrorKind.MemoryLimit,
            "MemoryLimitError",
            $"The code allocated more memory than the {Mebibytes(_settings.MaxAllocatedBytes)} allowed for one call and was stopped ({memory.Message})."),
        RecursionDepthOverflowException recursion => Error(
            CodeErrorKind.RecursionLimit,
            "RecursionLimitError",
            $"A function called itself more than {_settings.MaxRecursionDepth.ToString("N0", CultureInfo.InvariantCulture)} times deep, the limit, and the call was stopped ({recursion.CallExpressionReference})."),
        InsufficientExecutionStackException => Error(CodeErrorKind.RecursionLimit, "RecursionLimitError", "The call stack ran out (too deep a recursion or nesting) and the call was stopped."),
        // The host asked for the stop and reports the cancellation itself; this only needs to end the call.
        OperationCanceledException or ExecutionCanceledException => Error(CodeErrorKind.Exception, "CancelledError", "The call was cancelled."),
        _ => Error(CodeErrorKind.Exception, "InternalError", $"The code interpreter failed: {exception.GetType().Name}: {exception.Message}"),
    };

    private static WorkerError Script(JsValue error, int? line, int? column, string? stack, bool uncaughtPromise)
    {
        string name, message;
        if (error is ErrorInstance instance)
        {
            name = JsValueFormatter.ReadData(instance, "name") is { } n && n.IsString() ? n.AsString() : "Error";
            message = JsValueFormatter.ReadData(instance, "message") is { } m && m.IsString() ? m.AsString() : JsValueFormatter.Format(error, quoteStrings: true, budget: 500);
        }
        else
        {
            name = "Uncaught";
            message = JsValueFormatter.Format(error, quoteStrings: true, budget: 500);
        }

        if (uncaughtPromise)
        {
            message = "(in promise) " + message;
        }

        var kind = name == "RangeError" && message.Contains("Maximum call stack size exceeded", StringComparison.Ordinal)
            ? CodeErrorKind.RecursionLimit
            : CodeErrorKind.Exception;
        return new WorkerError { Kind = kind, Name = Cap(name, 100), Message = Cap(message, MaxErrorChars), Line = line, Column = column, Stack = TrimStack(stack) };
    }

    /// <summary>Keeps a stack only when it says more than the location does: two frames or more, at most <see cref="MaxStackLines"/>.</summary>
    private static string? TrimStack(string? stack)
    {
        var lines = (stack ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length < 2 ? null : Cap(string.Join('\n', lines.Take(MaxStackLines).Select(l => "  " + l)), MaxErrorChars);
    }

    private static WorkerError Error(CodeErrorKind kind, string name, string message) => new() { Kind = kind, Name = name, Message = Cap(message, MaxErrorChars) };

    private static string Cap(string text, int limit) => text.Length <= limit ? text : string.Concat(text.AsSpan(0, limit), $"... ({text.Length - limit} more characters)");

    private static string Seconds(int milliseconds) => (milliseconds / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Mebibytes(long bytes) => (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + " MiB";
}

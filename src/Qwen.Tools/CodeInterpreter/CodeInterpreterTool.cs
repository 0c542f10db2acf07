using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Tools;

/// <summary>
/// The <c>code_interpreter</c> tool: runs the JavaScript a model writes in a sandboxed, stateful session of a
/// <see cref="CodeInterpreter"/>, and returns its output as text plus the charts it drew as PNG images.
/// </summary>
/// <remarks>
/// Arguments: <c>{"code": "..."}</c>; code wrapped in a Markdown fence is unwrapped. The session is the one given to
/// the constructor, or the one named by <see cref="SessionIdContextKey"/> in <see cref="AIFunctionArguments.Context"/>.
/// </remarks>
public sealed class CodeInterpreterTool : AIFunction
{
    /// <summary>The tool's name, as models call it.</summary>
    public const string ToolName = "code_interpreter";

    /// <summary>The key of <see cref="AIFunctionArguments.Context"/> whose string value, when present, chooses the session.</summary>
    public const string SessionIdContextKey = "qwen.session_id";

    private static readonly JsonElement Schema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "code": { "type": "string", "description": "JavaScript to run. Variables persist between calls; the value of the last expression is shown." }
          },
          "required": ["code"]
        }
        """).RootElement.Clone();

    private readonly CodeInterpreter _interpreter;
    private readonly string _sessionId;

    /// <summary>Creates the tool over <paramref name="interpreter"/>, running in session <paramref name="sessionId"/> unless a call names another.</summary>
    /// <param name="interpreter">The interpreter that owns the sessions and their worker processes.</param>
    /// <param name="sessionId">The session calls run in by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="interpreter"/> or <paramref name="sessionId"/> is null.</exception>
    public CodeInterpreterTool(CodeInterpreter interpreter, string sessionId = "default")
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        _interpreter = interpreter;
        _sessionId = sessionId;
    }

    /// <inheritdoc />
    public override string Name => ToolName;

    /// <inheritdoc />
    public override string Description =>
        "Runs modern JavaScript in a sandboxed session that keeps its variables and functions between calls, like a notebook. " +
        "Returns what the code prints (console.log, print, console.table) and the value of its last expression. " +
        "No network, no require/import, no eval; files only in the session's work directory. Helpers: " +
        "readText(path), readJson(path), readCsv(path, {delimiter, header, numbers}) -> array of row objects (numeric fields become numbers), " +
        "parseCsv(text, options), listFiles(folder), writeText(path, text), writeJson(path, value); " +
        "stats.count/sum/mean/median/min/max/variance/std(values), stats.quantile(values, q), stats.describe(values), stats.corr(x, y), stats.linreg(x, y) (missing values are skipped); " +
        "plot({type: 'line'|'bar'|'scatter', x, y, series: [{y, label, type}], title, xLabel, yLabel, file}) or plot.line(x, y, options), plot.bar(...), plot.scatter(...) " +
        "draws a PNG chart, saves it in the work directory and shows it (y may be an object of named arrays for several series).";

    /// <inheritdoc />
    public override JsonElement JsonSchema => Schema;

    /// <inheritdoc />
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var code = CodeInterpreterInvocation.ReadCode(arguments);
        var sessionId = arguments.Context is { } context && context.TryGetValue(SessionIdContextKey, out var chosen) && chosen is string id ? id : _sessionId;
        var result = await _interpreter.ExecuteAsync(sessionId, code, cancellationToken).ConfigureAwait(false);
        return CodeInterpreterInvocation.ToContents(result);
    }
}

namespace Qwen.Core;

/// <summary>The way in to the function-call formats: parsers and stop sequences by <see cref="FunctionCallFormat"/>.</summary>
public static class FunctionCallFormats
{
    private static readonly string[] NoStops = [];
    private static readonly string[] QwenStops = [QwenFnCallFormat.ResultMarker, QwenFnCallFormat.ReturnMarker];
    private static readonly string[] ReActStops = ["Observation:"];

    /// <summary>Creates a streaming parser for one assistant turn written in <paramref name="format"/>.</summary>
    /// <param name="format">The format the prompt asked for.</param>
    /// <param name="options">Parser options; <see langword="null"/> for the defaults.</param>
    /// <returns>A new parser; use one per turn.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    /// <remarks>
    /// <para>Every format: <c>&lt;think&gt;…&lt;/think&gt;</c> is reported as reasoning and never parsed for calls; call arguments are
    /// read with <see cref="LenientJson"/>'s repairs, and text after a complete arguments object is ignored.</para>
    /// <para>Hermes: text between and after <c>&lt;tool_call&gt;</c> blocks is text; a body may use <c>"parameters"</c> or a JSON-encoded
    /// string for its arguments; a <c>&lt;tool_call&gt;</c> still open at the end is a parse error (nothing is guessed), one
    /// followed by another <c>&lt;tool_call&gt;</c> ends there.</para>
    /// <para>Qwen: as in Qwen-Agent, arguments run to the next marker or the end, several <c>✿ARGS✿:</c> after one name are
    /// several calls, a name without <c>✿ARGS✿:</c> is a call without arguments, a fenced code block as arguments (the
    /// <c>code_interpreter</c> convention) becomes <c>{"code": "..."}</c>, and <c>✿RESULT✿</c>/<c>✿RETURN✿</c> stop the parse.</para>
    /// <para>ReAct: labels count at line starts; thoughts are reasoning, the <c>Final Answer:</c> is text (and is not parsed
    /// further); an <c>Action:</c> without <c>Action Input:</c> is a parse error; <c>Observation:</c> stops the parse.
    /// An output that never reaches <c>Final Answer:</c> and calls nothing has only reasoning: treat it as the answer.</para>
    /// <para>Xml: a <c>&lt;tool_call&gt;</c> block may hold several <c>&lt;function=NAME&gt;</c> elements and is read when it closes;
    /// a function element without the wrapper is a call too; one newline on each side of a parameter value belongs to the markup;
    /// a value stays text when the tool's schema (<see cref="FunctionCallParserOptions.Tools"/>) types the parameter as a string,
    /// and is otherwise JSON when it parses as JSON (or Python's <c>True</c>/<c>False</c>/<c>None</c>), else text.
    /// Complete functions of a block still open at the end are calls; a function still open at the end is a parse error.</para>
    /// </remarks>
    public static IFunctionCallParser CreateParser(FunctionCallFormat format, FunctionCallParserOptions? options = null) => format switch
    {
        FunctionCallFormat.Hermes => new HermesParser(options),
        FunctionCallFormat.Qwen => new QwenFnCallParser(options),
        FunctionCallFormat.ReAct => new ReActParser(options),
        FunctionCallFormat.Xml => new XmlParser(options),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Expected Hermes, Qwen, ReAct or Xml."),
    };

    /// <summary>Gets the text at which generation should stop for <paramref name="format"/>: where the model would start writing a tool result.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The stop sequences; empty for Hermes and Xml (the model ends its turn with its end-of-turn token).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static IReadOnlyList<string> GetStopSequences(FunctionCallFormat format) => format switch
    {
        FunctionCallFormat.Hermes => NoStops,
        FunctionCallFormat.Qwen => QwenStops,
        FunctionCallFormat.ReAct => ReActStops,
        FunctionCallFormat.Xml => NoStops,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Expected Hermes, Qwen, ReAct or Xml."),
    };
}

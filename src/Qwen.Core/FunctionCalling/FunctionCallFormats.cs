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
    public static IFunctionCallParser CreateParser(FunctionCallFormat format, FunctionCallParserOptions? options = null) => format switch
    {
        FunctionCallFormat.Hermes => new HermesParser(options),
        FunctionCallFormat.Qwen => new QwenFnCallParser(options),
        FunctionCallFormat.ReAct => new ReActParser(options),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Expected Hermes, Qwen or ReAct."),
    };

    /// <summary>Gets the text at which generation should stop for <paramref name="format"/>: where the model would start writing a tool result.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The stop sequences; empty for Hermes (the model ends its turn with its end-of-turn token).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static IReadOnlyList<string> GetStopSequences(FunctionCallFormat format) => format switch
    {
        FunctionCallFormat.Hermes => NoStops,
        FunctionCallFormat.Qwen => QwenStops,
        FunctionCallFormat.ReAct => ReActStops,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Expected Hermes, Qwen or ReAct."),
    };
}

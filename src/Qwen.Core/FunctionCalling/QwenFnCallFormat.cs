using System.Text;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// Writes Qwen-Agent's <c>qwen</c> function-call prompt (<c>qwen_fncall_prompt.py</c>): the tools system text in English
/// or Chinese, single or parallel, and the <c>✿FUNCTION✿</c>/<c>✿ARGS✿</c>/<c>✿RESULT✿</c>/<c>✿RETURN✿</c> lines.
/// </summary>
/// <remarks>
/// An assistant turn that calls tools reads: its text, <c>\n</c>, <see cref="RenderRound"/> of the calls and their
/// results, then the reply. Tool fields Qwen-Agent knows beyond name, description and parameters are read from the
/// tool's <see cref="AITool.AdditionalProperties"/>: <c>name_for_human</c> and <c>args_format</c>.
/// </remarks>
public static class QwenFnCallFormat
{
    /// <summary>The marker before a function name.</summary>
    public const string FunctionMarker = "✿FUNCTION✿";

    /// <summary>The marker before a call's arguments.</summary>
    public const string ArgsMarker = "✿ARGS✿";

    /// <summary>The marker before a tool result; a stop word when generating.</summary>
    public const string ResultMarker = "✿RESULT✿";

    /// <summary>The marker before the reply that uses the results; a stop word when generating.</summary>
    public const string ReturnMarker = "✿RETURN✿";

    private const string InfoEnglish = "# Tools\n\n## You have access to the following tools:\n\n";
    private const string InfoChinese = "# 工具\n\n## 你拥有如下工具：\n\n";

    private const string FormatEnglish =
        "## When you need to call a tool, please insert the following command in your reply, which can be called zero or multiple times according to your needs:\n\n"
        + FunctionMarker + ": The tool to use, should be one of [{0}]\n"
        + ArgsMarker + ": The input of the tool\n"
        + ResultMarker + ": Tool results\n"
        + ReturnMarker + ": Reply based on tool results. Images need to be rendered as ![](url)";

    private const string FormatChinese =
        "## 你可以在回复中插入零次、一次或多次以下命令以调用工具：\n\n"
        + FunctionMarker + ": 工具名称，必须是[{0}]之一。\n"
        + ArgsMarker + ": 工具输入\n"
        + ResultMarker + ": 工具结果\n"
        + ReturnMarker + ": 根据工具结果进行回复，需将图片用![](url)渲染出来";

    private const string ParallelFormatEnglish =
        "## Insert the following command in your reply when you need to call N tools in parallel:\n\n"
        + FunctionMarker + ": The name of tool 1, should be one of [{0}]\n"
        + ArgsMarker + ": The input of tool 1\n"
        + FunctionMarker + ": The name of tool 2\n"
        + ArgsMarker + ": The input of tool 2\n"
        + "...\n"
        + FunctionMarker + ": The name of tool N\n"
        + ArgsMarker + ": The input of tool N\n"
        + ResultMarker + ": The result of tool 1\n"
        + ResultMarker + ": The result of tool 2\n"
        + "...\n"
        + ResultMarker + ": The result of tool N\n"
        + ReturnMarker + ": Reply based on tool results. Images need to be rendered as ![](url)";

    private const string ParallelFormatChinese =
        "## 你可以在回复中插入以下命令以并行调用N个工具：\n\n"
        + FunctionMarker + ": 工具1的名称，必须是[{0}]之一\n"
        + ArgsMarker + ": 工具1的输入\n"
        + FunctionMarker + ": 工具2的名称\n"
        + ArgsMarker + ": 工具2的输入\n"
        + "...\n"
        + FunctionMarker + ": 工具N的名称\n"
        + ArgsMarker + ": 工具N的输入\n"
        + ResultMarker + ": 工具1的结果\n"
        + ResultMarker + ": 工具2的结果\n"
        + "...\n"
        + ResultMarker + ": 工具N的结果\n"
        + ReturnMarker + ": 根据工具结果进行回复，需将图片用![](url)渲染出来";

    /// <summary>Writes the tools system text (appended to the system message after a blank line, or the whole system message).</summary>
    /// <param name="tools">The tools, in order.</param>
    /// <param name="language"><c>"en"</c> or <c>"zh"</c>: the language of the instructions.</param>
    /// <param name="parallel">Whether to describe parallel calls (N calls, then N results).</param>
    /// <returns>The text from <c># Tools</c> (or <c># 工具</c>) to the <c>✿RETURN✿</c> line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> or <paramref name="language"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tools"/> is empty or holds a null or unnamed tool, or <paramref name="language"/> is neither <c>"en"</c> nor <c>"zh"</c>.</exception>
    public static string RenderSystemText(IEnumerable<AIFunctionDeclaration> tools, string language = "en", bool parallel = false)
    {
        var list = ToolPrompt.RequireTools(tools, nameof(tools));
        ArgumentNullException.ThrowIfNull(language);
        var chinese = language switch
        {
            "en" => false,
            "zh" => true,
            _ => throw new ArgumentException($"language must be \"en\" or \"zh\" but is \"{language}\".", nameof(language)),
        };

        var builder = new StringBuilder(chinese ? InfoChinese : InfoEnglish);
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                builder.Append("\n\n");
            }

            builder.Append(ToolPrompt.DescribeTool(list[i], chinese, ArgsFormat(list[i], chinese)));
        }

        var format = (chinese, parallel) switch
        {
            (false, false) => FormatEnglish,
            (false, true) => ParallelFormatEnglish,
            (true, false) => FormatChinese,
            (true, true) => ParallelFormatChinese,
        };
        builder.Append("\n\n").Append(format.Replace("{0}", string.Join(',', list.Select(tool => tool.Name)), StringComparison.Ordinal));
        return builder.ToString();
    }

    /// <summary>Writes one call: <c>✿FUNCTION✿: name\n✿ARGS✿: {json}</c>.</summary>
    /// <param name="call">The call.</param>
    /// <returns>The two lines, without a trailing newline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The call has no name.</exception>
    public static string RenderCall(FunctionCallContent call)
    {
        ToolPrompt.RequireCall(call, nameof(call));
        return $"{FunctionMarker}: {call.Name}\n{ArgsMarker}: {ToolPrompt.ArgumentsJson(call)}";
    }

    /// <summary>Writes one result line: <c>✿RESULT✿: text</c>.</summary>
    /// <param name="result">The result; strings are written as they are, other values as JSON, a failure as <c>Error: message</c>.</param>
    /// <returns>The line, without newlines around it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string RenderResult(FunctionResultContent result) => $"{ResultMarker}: {ToolPrompt.ResultText(result)}";

    /// <summary>
    /// Writes a round of calls and their results as Qwen-Agent lays it out in an assistant turn: the calls, then the
    /// results, then <c>\n✿RETURN✿: </c> after which the assistant's reply follows.
    /// </summary>
    /// <param name="calls">The calls of the round, in order (at least one).</param>
    /// <param name="results">Their results, in order; none when the round is still waiting for them.</param>
    /// <returns>The text; when it ends a prompt for generation, Qwen-Agent removes the final <c>": "</c> so the model writes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> or <paramref name="results"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="calls"/> is empty or holds a null or unnamed call.</exception>
    public static string RenderRound(IEnumerable<FunctionCallContent> calls, IEnumerable<FunctionResultContent> results)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(results);
        var builder = new StringBuilder();
        foreach (var call in calls)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(RenderCall(call));
        }

        if (builder.Length == 0)
        {
            throw new ArgumentException("A round needs at least one call.", nameof(calls));
        }

        var hasResults = false;
        foreach (var result in results)
        {
            builder.Append('\n').Append(RenderResult(result));
            hasResults = true;
        }

        return hasResults ? builder.Append('\n').Append(ReturnMarker).Append(": ").ToString() : builder.ToString();
    }

    private static string ArgsFormat(AIFunctionDeclaration tool, bool chinese)
    {
        var custom = ToolPrompt.AdditionalText(tool, "args_format");
        if (custom is not null)
        {
            return custom;
        }

        return tool.Name == "code_interpreter"
            ? (chinese ? "此工具的输入应为Markdown代码块。" : "Enclose the code within triple backticks (`) at the beginning and end of the code.")
            : (chinese ? "此工具的输入应为JSON对象。" : "Format the arguments as a JSON object.");
    }
}

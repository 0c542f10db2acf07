using System.Text;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// Writes the ReAct prompt of Qwen-Agent's ReActChat (<c>Thought:</c>/<c>Action:</c>/<c>Action Input:</c>/<c>Observation:</c>/<c>Final Answer:</c>).
/// </summary>
/// <remarks>
/// The prompt replaces the last user message. Generate with the stop word <c>Observation:</c>
/// (<see cref="FunctionCallFormats.GetStopSequences"/>); after a call, the turn continues with the model's thought,
/// <c>\n</c>, <see cref="RenderCall"/> and <see cref="RenderObservation"/>, and generation resumes.
/// Tool descriptions use the Chinese template when a tool's text holds Chinese characters, as Qwen-Agent does.
/// </remarks>
public static class ReActFormat
{
    private const string PromptStart = "Answer the following questions as best you can. You have access to the following tools:\n\n";

    private const string PromptFormat =
        "\n\nUse the following format:\n\n"
        + "Question: the input question you must answer\n"
        + "Thought: you should always think about what to do\n"
        + "Action: the action to take, should be one of [{0}]\n"
        + "Action Input: the input to the action\n"
        + "Observation: the result of the action\n"
        + "... (this Thought/Action/Action Input/Observation can be repeated zero or more times)\n"
        + "Thought: I now know the final answer\n"
        + "Final Answer: the final answer to the original input question\n\n"
        + "Begin!\n\n"
        + "Question: ";

    /// <summary>Writes the ReAct prompt for a question.</summary>
    /// <param name="tools">The tools, in order.</param>
    /// <param name="query">The user's question.</param>
    /// <param name="primeThought">
    /// Whether to end with <c>\nThought: </c> so the model starts with its thought; Qwen-Agent's ReActChat ends at the question
    /// (pass <see langword="false"/> for its exact text). The parser reads either.
    /// </param>
    /// <returns>The prompt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> or <paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tools"/> is empty or holds a null or unnamed tool.</exception>
    public static string RenderPrompt(IEnumerable<AIFunctionDeclaration> tools, string query, bool primeThought = true)
    {
        var list = ToolPrompt.RequireTools(tools, nameof(tools));
        ArgumentNullException.ThrowIfNull(query);
        var builder = new StringBuilder(PromptStart);
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                builder.Append("\n\n");
            }

            var tool = list[i];
            builder.Append(ToolPrompt.DescribeTool(tool, HasChinese(tool), ToolPrompt.AdditionalText(tool, "args_format") ?? string.Empty));
        }

        builder.Append(PromptFormat.Replace("{0}", string.Join(',', list.Select(tool => tool.Name)), StringComparison.Ordinal)).Append(query);
        if (primeThought)
        {
            builder.Append("\nThought: ");
        }

        return builder.ToString();
    }

    /// <summary>Writes one call: <c>Action: name\nAction Input: {json}</c>.</summary>
    /// <param name="call">The call.</param>
    /// <returns>The two lines, without newlines around them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The call has no name.</exception>
    public static string RenderCall(FunctionCallContent call)
    {
        ToolPrompt.RequireCall(call, nameof(call));
        return $"Action: {call.Name}\nAction Input: {ToolPrompt.ArgumentsJson(call)}";
    }

    /// <summary>Writes a tool result as Qwen-Agent does: <c>\nObservation: text\nThought: </c>.</summary>
    /// <param name="result">The result; strings are written as they are, other values as JSON, a failure as <c>Error: message</c>.</param>
    /// <returns>The observation, ending where the model's next thought begins.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string RenderObservation(FunctionResultContent result) =>
        $"\nObservation: {ToolPrompt.ResultText(result)}\nThought: ";

    /// <summary>Qwen-Agent's <c>has_chinese_chars</c> over the tool's fields (CJK unified ideographs).</summary>
    private static bool HasChinese(AIFunctionDeclaration tool) =>
        ContainsCjk(tool.Name) || ContainsCjk(tool.Description) || ContainsCjk(ToolPrompt.ParametersJson(tool))
        || ContainsCjk(ToolPrompt.AdditionalText(tool, "name_for_human")) || ContainsCjk(ToolPrompt.AdditionalText(tool, "args_format"));

    private static bool ContainsCjk(string? text) => text is not null && text.AsSpan().IndexOfAnyInRange('\u4e00', '\u9fff') >= 0;
}

using System.Text;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// Writes the Hermes/Nous function-call text of the Qwen2.5/Qwen3 chat templates (and Qwen-Agent's <c>nous</c> prompt):
/// the <c># Tools</c> system section, <c>&lt;tool_call&gt;</c> blocks and <c>&lt;tool_response&gt;</c> blocks.
/// </summary>
/// <remarks>JSON is written as the templates' <c>tojson</c> writes it: <c>", "</c>/<c>": "</c> separators, non-ASCII kept.</remarks>
public static class HermesFormat
{
    private const string ToolsHeader =
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
        + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";

    private const string ToolsFooter =
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n"
        + "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

    /// <summary>Writes the tools section the templates put in the system message (after the system text and a blank line).</summary>
    /// <param name="tools">The tools, in order; each becomes one <c>{"type": "function", "function": {...}}</c> line.</param>
    /// <returns>The text from <c># Tools</c> to the closing <c>&lt;/tool_call&gt;</c> of the example, without a trailing newline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tools"/> is empty or holds a null or unnamed tool.</exception>
    public static string RenderToolsSystemText(IEnumerable<AIFunctionDeclaration> tools)
    {
        var list = ToolPrompt.RequireTools(tools, nameof(tools));
        var builder = new StringBuilder(ToolsHeader);
        foreach (var tool in list)
        {
            builder.Append("\n{\"type\": \"function\", \"function\": {\"name\": ");
            PythonJson.WriteString(builder, tool.Name);
            if (!string.IsNullOrEmpty(tool.Description))
            {
                builder.Append(", \"description\": ");
                PythonJson.WriteString(builder, tool.Description);
            }

            builder.Append(", \"parameters\": ").Append(ToolPrompt.ParametersJson(tool)).Append("}}");
        }

        return builder.Append(ToolsFooter).ToString();
    }

    /// <summary>Writes one call as the templates write an assistant's tool call.</summary>
    /// <param name="call">The call; its arguments become the JSON object after <c>"arguments": </c>.</param>
    /// <returns><c>&lt;tool_call&gt;\n{"name": "...", "arguments": {...}}\n&lt;/tool_call&gt;</c>; join several with <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The call has no name.</exception>
    public static string RenderCall(FunctionCallContent call)
    {
        ToolPrompt.RequireCall(call, nameof(call));
        return $"<tool_call>\n{{\"name\": \"{call.Name}\", \"arguments\": {ToolPrompt.ArgumentsJson(call)}}}\n</tool_call>";
    }

    /// <summary>Writes one tool result as the templates write a <c>tool</c> message.</summary>
    /// <param name="result">The result; strings are written as they are, other values as JSON, a failure as <c>Error: message</c>.</param>
    /// <returns><c>&lt;tool_response&gt;\n...\n&lt;/tool_response&gt;</c>; join several with <c>\n</c> inside one user turn.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string RenderResult(FunctionResultContent result) =>
        $"<tool_response>\n{ToolPrompt.ResultText(result)}\n</tool_response>";
}

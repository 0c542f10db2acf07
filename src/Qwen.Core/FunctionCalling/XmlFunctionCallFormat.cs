using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// Writes the XML function-call text of Qwen3-Coder's chat template: the <c># Tools</c> system section with
/// <c>&lt;function&gt;</c> declarations, <c>&lt;tool_call&gt;&lt;function=NAME&gt;&lt;parameter=P&gt;</c> blocks and <c>&lt;tool_response&gt;</c> blocks.
/// </summary>
/// <remarks>
/// Values are written as the template writes them: mappings and lists with <c>tojson</c> (<c>", "</c>/<c>": "</c> separators,
/// non-ASCII kept), everything else with Jinja's <c>string</c> filter (Python's <c>str</c>: <c>True</c>, <c>None</c>, strings as they are).
/// An assistant turn with calls reads: its text (trimmed) and <c>\n</c>, then for each call <c>\n</c> and <see cref="RenderCall"/>.
/// </remarks>
public static class XmlFunctionCallFormat
{
    /// <summary>The tag that opens a call block.</summary>
    public const string CallOpen = "<tool_call>";

    /// <summary>The tag that closes a call block.</summary>
    public const string CallClose = "</tool_call>";

    /// <summary>The start of the tag that names the function: <c>&lt;function=NAME&gt;</c>.</summary>
    public const string FunctionOpen = "<function=";

    private const string ToolsHeader = "# Tools\n\nYou have access to the following functions:\n\n<tools>";

    private const string ToolsFooter =
        "\n</tools>\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n"
        + "<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n"
        + "<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n</parameter>\n"
        + "</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n"
        + "- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n"
        + "- Required parameters MUST be specified\n"
        + "- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after\n"
        + "- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls\n"
        + "</IMPORTANT>";

    private static readonly string[] ParameterHandledKeys = ["name", "type", "description"];
    private static readonly string[] ParametersHandledKeys = ["type", "properties"];

    /// <summary>Writes the tools section the template puts in the system message (after the system text and a blank line).</summary>
    /// <param name="tools">The tools, in order; each becomes one <c>&lt;function&gt;</c> element listing its parameters.</param>
    /// <returns>The text from <c># Tools</c> to the closing <c>&lt;/IMPORTANT&gt;</c>, without a trailing newline.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tools"/> is empty or holds a null or unnamed tool.</exception>
    public static string RenderToolsSystemText(IEnumerable<AIFunctionDeclaration> tools)
    {
        var list = ToolPrompt.RequireTools(tools, nameof(tools));
        var builder = new StringBuilder(ToolsHeader);
        foreach (var tool in list)
        {
            builder.Append("\n<function>\n<name>").Append(tool.Name).Append("</name>");
            if (!string.IsNullOrEmpty(tool.Description))
            {
                builder.Append("\n<description>").Append(tool.Description.Trim()).Append("</description>");
            }

            builder.Append("\n<parameters>");
            if (tool.JsonSchema.ValueKind == JsonValueKind.Object)
            {
                if (tool.JsonSchema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var parameter in properties.EnumerateObject())
                    {
                        WriteParameter(builder, parameter.Name, parameter.Value);
                    }
                }

                WriteExtraKeys(builder, tool.JsonSchema, ParametersHandledKeys);
            }

            builder.Append("\n</parameters>\n</function>");
        }

        return builder.Append(ToolsFooter).ToString();
    }

    /// <summary>Writes one call as the template writes an assistant's tool call.</summary>
    /// <param name="call">The call; each argument becomes a <c>&lt;parameter=NAME&gt;</c> element.</param>
    /// <returns><c>&lt;tool_call&gt;\n&lt;function=NAME&gt;\n&lt;parameter=P&gt;\nvalue\n&lt;/parameter&gt;\n&lt;/function&gt;\n&lt;/tool_call&gt;</c>; join several with <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The call has no name.</exception>
    public static string RenderCall(FunctionCallContent call)
    {
        ToolPrompt.RequireCall(call, nameof(call));
        var builder = new StringBuilder("<tool_call>\n<function=").Append(call.Name).Append(">\n");
        foreach (var (name, value) in call.Arguments ?? new Dictionary<string, object?>())
        {
            builder.Append("<parameter=").Append(name).Append(">\n");
            builder.Append(TemplateText(value));
            builder.Append("\n</parameter>\n");
        }

        return builder.Append("</function>\n</tool_call>").ToString();
    }

    /// <summary>Writes one tool result as the template writes a <c>tool</c> message.</summary>
    /// <param name="result">The result; strings are written as they are, other values as JSON, a failure as <c>Error: message</c>.</param>
    /// <returns><c>&lt;tool_response&gt;\n...\n&lt;/tool_response&gt;</c>; the template puts consecutive results in one user turn, each followed by <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string RenderResult(FunctionResultContent result) =>
        $"<tool_response>\n{ToolPrompt.ResultText(result)}\n</tool_response>";

    private static void WriteParameter(StringBuilder builder, string name, JsonElement fields)
    {
        builder.Append("\n<parameter>\n<name>").Append(name).Append("</name>");
        if (fields.ValueKind == JsonValueKind.Object)
        {
            if (fields.TryGetProperty("type", out var type))
            {
                // `type | string` is Python's str(): a list reads ['string', 'null'].
                builder.Append("\n<type>").Append(JinjaOps.ToStr(JinjaValues.FromJson(type))).Append("</type>");
            }

            if (fields.TryGetProperty("description", out var description))
            {
                builder.Append("\n<description>").Append(TemplateText(description).Trim()).Append("</description>");
            }

            WriteExtraKeys(builder, fields, ParameterHandledKeys);
        }

        builder.Append("\n</parameter>");
    }

    /// <summary>The template's <c>render_extra_keys</c> macro: every other key as an element, lists and mappings as JSON.</summary>
    private static void WriteExtraKeys(StringBuilder builder, JsonElement element, string[] handledKeys)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(handledKeys, property.Name) >= 0)
            {
                continue;
            }

            builder.Append("\n<").Append(property.Name).Append('>');
            builder.Append(TemplateText(property.Value));
            builder.Append("</").Append(property.Name).Append('>');
        }
    }

    /// <summary>
    /// A value as the Qwen3-Coder template writes it: mappings and lists with <c>tojson</c>, everything else with Jinja's <c>string</c>
    /// filter (Python's <c>str</c>: strings as they are, <c>True</c>/<c>False</c>/<c>None</c>).
    /// </summary>
    private static string TemplateText(object? value) =>
        JinjaValues.FromClr(value) is var converted && converted is JinjaDict or IReadOnlyList<object?>
            ? PythonJson.Serialize(converted, PythonJsonFormat.Default)
            : JinjaOps.ToStr(converted);
}

using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>What the three formats need of a tool declaration and of a tool result when writing prompts.</summary>
internal static class ToolPrompt
{
    private const string EmptyParameters = "{\"type\": \"object\", \"properties\": {}}";

    public static List<AIFunctionDeclaration> RequireTools(IEnumerable<AIFunctionDeclaration> tools, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(tools, parameterName);
        var list = tools.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one tool is required to describe tools to the model.", parameterName);
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"{parameterName}[{i}] is null.", parameterName);
            }

            if (string.IsNullOrWhiteSpace(list[i].Name))
            {
                throw new ArgumentException($"{parameterName}[{i}].Name is empty; every tool needs a name.", parameterName);
            }
        }

        return list;
    }

    public static FunctionCallContent RequireCall(FunctionCallContent call, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(call, parameterName);
        return string.IsNullOrWhiteSpace(call.Name)
            ? throw new ArgumentException($"{parameterName}.Name is empty; a call needs a function name.", parameterName)
            : call;
    }

    /// <summary>The tool's parameter schema as Python writes it; an absent schema is an object without properties.</summary>
    public static string ParametersJson(AIFunctionDeclaration tool) =>
        tool.JsonSchema.ValueKind == JsonValueKind.Object ? PythonJson.Serialize(tool.JsonSchema) : EmptyParameters;

    /// <summary>A call's arguments as Python writes the dict; no arguments are the empty object.</summary>
    public static string ArgumentsJson(FunctionCallContent call) =>
        PythonJson.Serialize(call.Arguments ?? new Dictionary<string, object?>());

    /// <summary>Reads Qwen-Agent's optional tool fields (<c>name_for_human</c>, <c>args_format</c>) from the tool's additional properties.</summary>
    public static string? AdditionalText(AIFunctionDeclaration tool, string key) =>
        tool.AdditionalProperties.TryGetValue(key, out var value) && value is string text ? text : null;

    /// <summary>
    /// Qwen-Agent's one-paragraph tool description (<c>get_function_description</c>), shared by its <c>qwen</c> and ReAct prompts.
    /// </summary>
    public static string DescribeTool(AIFunctionDeclaration tool, bool chinese, string argsFormat)
    {
        var nameForHuman = AdditionalText(tool, "name_for_human") ?? tool.Name;
        var parametersLabel = chinese ? " 输入参数：" : " Parameters: ";
        return $"### {nameForHuman}\n\n{tool.Name}: {tool.Description}{parametersLabel}{ParametersJson(tool)} {argsFormat}".TrimEnd();
    }

    /// <summary>The text a model sees for a tool result: strings as they are, other values as JSON, a failure as its message.</summary>
    public static string ResultText(FunctionResultContent result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Result switch
        {
            null => result.Exception is null ? string.Empty : $"Error: {result.Exception.Message}",
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
            TextContent content => content.Text,
            var value => PythonJson.Serialize(value),
        };
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Tools;

/// <summary>
/// Base class of the built-in tools: an <see cref="AIFunction"/> with a name, a description and a JSON-Schema parameter object,
/// whose arguments are checked against that schema before the tool runs. Failures come back as error text the model can read.
/// </summary>
public abstract class QwenTool : AIFunction
{
    private readonly JsonElement _schema;
    private readonly JsonSchemaValidator _validator;

    /// <summary>Initializes a new instance of the <see cref="QwenTool"/> class.</summary>
    /// <param name="name">The tool name models call it by (letters, digits, <c>_</c> and <c>-</c>).</param>
    /// <param name="description">What the tool does, for the model.</param>
    /// <param name="parametersSchema">The JSON Schema of the argument object (<c>{"type": "object", "properties": ...}</c>).</param>
    /// <exception cref="ArgumentException">The name is not a valid tool name, or the schema is not a JSON object or not a JSON Schema
    /// that can be evaluated.</exception>
    protected QwenTool(string name, string description, string parametersSchema)
    {
        ToolRegistry.ValidateName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentException.ThrowIfNullOrWhiteSpace(parametersSchema);

        using var document = JsonDocument.Parse(parametersSchema);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"The parameter schema of tool '{name}' must be a JSON object.", nameof(parametersSchema));
        }

        Name = name;
        Description = description;
        _schema = document.RootElement.Clone();
        try
        {
            _validator = JsonSchemaValidator.For(_schema);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The parameter schema of tool '{name}' cannot be used: {e.Message}", nameof(parametersSchema), e);
        }
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override string Description { get; }

    /// <inheritdoc />
    public override JsonElement JsonSchema => _schema;

    /// <summary>Validates <paramref name="arguments"/> against the schema and runs the tool; errors come back as an error result.</summary>
    /// <param name="arguments">The arguments as a JSON object.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result, or an error result naming what went wrong.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ToolResult> InvokeToolAsync(JsonElement arguments, CancellationToken cancellationToken = default)
    {
        try
        {
            var errors = arguments.ValueKind == JsonValueKind.Object
                ? _validator.Validate(arguments)
                : [$"The arguments must be a JSON object, not {JsonSchemaValidator.Describe(arguments)}."];
            if (errors.Count > 0)
            {
                return ToolResult.FromError(ToolRegistry.DescribeInvalidArguments(this, errors));
            }

            return await ExecuteAsync(new ToolArguments(Name, arguments), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return ToolResult.FromError(ToolRegistry.DescribeFailure(Name, e));
        }
    }

    /// <summary>Runs the tool with arguments that already satisfy its schema.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; throw <see cref="ToolArgumentException"/> (or another specific exception) for errors the model should see.</returns>
    protected abstract ValueTask<ToolResult> ExecuteAsync(ToolArguments arguments, CancellationToken cancellationToken);

    /// <inheritdoc />
    protected sealed override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var json = ToJson(arguments, JsonSerializerOptions);
        var result = await InvokeToolAsync(json, cancellationToken).ConfigureAwait(false);
        return result.ToFunctionResult();
    }

    /// <summary>Turns the argument dictionary (JSON elements from a model, or plain .NET values from code) into one JSON object.</summary>
    internal static JsonElement ToJson(IEnumerable<KeyValuePair<string, object?>> arguments, JsonSerializerOptions options)
    {
        var node = new JsonObject();
        foreach (var (key, value) in arguments)
        {
            node[key] = value switch
            {
                null => null,
                JsonElement element => JsonNode.Parse(element.GetRawText()),
                JsonNode json => json.DeepClone(),
                _ => JsonSerializer.SerializeToNode(value, value.GetType(), options),
            };
        }

        return JsonSerializer.SerializeToElement(node, options.GetTypeInfo(typeof(JsonObject)));
    }
}

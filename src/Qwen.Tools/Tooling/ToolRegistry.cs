using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Qwen.Tools;

/// <summary>
/// Resolves tools by name and runs them once from a model's JSON arguments. Any <see cref="AIFunction"/> can be registered
/// (a built-in <see cref="QwenTool"/>, a C# method through <see cref="AIFunctionFactory"/>, an MCP tool). Unknown names,
/// malformed JSON, schema violations and tool failures come back as error results the model can read and correct.
/// </summary>
public sealed partial class ToolRegistry
{
    private static readonly JsonDocumentOptions LenientJson = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, AIFunction> _byName = new(StringComparer.Ordinal);
    private AIFunction[] _ordered = [];

    /// <summary>Initializes a new, empty instance of the <see cref="ToolRegistry"/> class.</summary>
    public ToolRegistry()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ToolRegistry"/> class holding <paramref name="tools"/>.</summary>
    /// <param name="tools">The tools to register.</param>
    /// <exception cref="ArgumentException">Two tools share a name, or a name is invalid.</exception>
    public ToolRegistry(IEnumerable<AIFunction> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        foreach (var tool in tools)
        {
            Register(tool);
        }
    }

    /// <summary>Gets the registered tools, in registration order.</summary>
    public IReadOnlyList<AIFunction> Tools => _ordered;

    /// <summary>Registers a tool under its <see cref="AITool.Name"/>.</summary>
    /// <param name="tool">The tool.</param>
    /// <exception cref="ArgumentException">A tool with the same name is already registered, the name is invalid, or the tool's
    /// parameter schema is not a JSON Schema that can be evaluated.</exception>
    public void Register(AIFunction tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ValidateName(tool.Name);
        if (tool is not QwenTool)
        {
            try
            {
                // Built now, so a broken schema fails here, naming the tool, rather than on the model's first call.
                _ = JsonSchemaValidator.For(tool.JsonSchema);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"The parameter schema of tool '{tool.Name}' cannot be used: {e.Message}", nameof(tool), e);
            }
        }

        lock (_gate)
        {
            if (!_byName.TryAdd(tool.Name, tool))
            {
                throw new ArgumentException($"A tool named '{tool.Name}' is already registered.", nameof(tool));
            }

            _ordered = [.. _ordered, tool];
        }
    }

    /// <summary>Registers a C# method as a tool through <see cref="AIFunctionFactory"/>.</summary>
    /// <param name="method">The method; its parameters become the tool's JSON-Schema parameters.</param>
    /// <param name="name">The tool name; the method name when <see langword="null"/>.</param>
    /// <param name="description">The description; the method's <c>[Description]</c> when <see langword="null"/>.</param>
    /// <returns>The registered function.</returns>
    public AIFunction Register(Delegate method, string? name = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        var function = AIFunctionFactory.Create(method, name, description);
        Register(function);
        return function;
    }

    /// <summary>Finds a tool by name.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="tool">The tool when found.</param>
    /// <returns><see langword="true"/> when a tool has that name.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out AIFunction? tool)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            return _byName.TryGetValue(name, out tool);
        }
    }

    /// <summary>Runs the tool <paramref name="name"/> once with the model's JSON arguments.</summary>
    /// <param name="name">The tool name the model asked for.</param>
    /// <param name="argumentsJson">The arguments as a JSON object; <see langword="null"/> or blank means no arguments. Trailing commas and comments are tolerated.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result, or an error result for an unknown tool, malformed JSON, a schema violation or a tool failure.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ToolResult> InvokeAsync(string name, string? argumentsJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TryGet(name, out var tool))
        {
            return Task.FromResult(UnknownTool(name));
        }

        JsonElement arguments;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson, LenientJson);
            arguments = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Task.FromResult(ToolResult.FromError(
                $"The arguments for tool '{name}' are not valid JSON ({e.Message}). Send one JSON object matching: {tool.JsonSchema.GetRawText()}"));
        }

        return InvokeAsync(tool, arguments, cancellationToken);
    }

    /// <summary>Runs the function call a model made (as parsed into a <see cref="FunctionCallContent"/>).</summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result, or an error result.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ToolResult> InvokeAsync(FunctionCallContent call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!TryGet(call.Name, out var tool))
        {
            return Task.FromResult(UnknownTool(call.Name));
        }

        if (call.Exception is { } parseError)
        {
            return Task.FromResult(ToolResult.FromError(
                $"The arguments for tool '{call.Name}' could not be read ({parseError.Message}). Send one JSON object matching: {tool.JsonSchema.GetRawText()}"));
        }

        var arguments = QwenTool.ToJson(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions);
        return InvokeAsync(tool, arguments, cancellationToken);
    }

    /// <summary>Throws when <paramref name="name"/> is not a valid tool name.</summary>
    internal static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ToolNamePattern().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid tool name: use 1 to 64 letters, digits, '_' or '-'.", nameof(name));
        }
    }

    /// <summary>The error text for arguments that break a tool's schema: every violation, then the schema to follow.</summary>
    internal static string DescribeInvalidArguments(AIFunction tool, IReadOnlyList<string> errors) =>
        $"Invalid arguments for tool '{tool.Name}': {string.Join(" ", errors)} Expected arguments matching: {tool.JsonSchema.GetRawText()}";

    /// <summary>The error text for a tool that threw.</summary>
    internal static string DescribeFailure(string toolName, Exception e) => e switch
    {
        ToolArgumentException => $"Invalid arguments for tool '{toolName}': {e.Message}",
        OperationCanceledException or TimeoutException => $"Tool '{toolName}' timed out: {e.Message}",
        _ => $"Tool '{toolName}' failed: {e.Message}",
    };

    private static async Task<ToolResult> InvokeAsync(AIFunction tool, JsonElement arguments, CancellationToken cancellationToken)
    {
        if (tool is QwenTool qwenTool)
        {
            return await qwenTool.InvokeToolAsync(arguments, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (arguments.ValueKind != JsonValueKind.Object)
            {
                return ToolResult.FromError($"The arguments for tool '{tool.Name}' must be a JSON object, not {JsonSchemaValidator.Describe(arguments)}.");
            }

            var errors = JsonSchemaValidator.Validate(tool.JsonSchema, arguments);
            if (errors.Count > 0)
            {
                return ToolResult.FromError(DescribeInvalidArguments(tool, errors));
            }

            var functionArguments = new AIFunctionArguments();
            foreach (var property in arguments.EnumerateObject())
            {
                functionArguments[property.Name] = property.Value;
            }

            var value = await tool.InvokeAsync(functionArguments, cancellationToken).ConfigureAwait(false);
            return ToolResult.FromValue(value, tool.JsonSerializerOptions);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return ToolResult.FromError(DescribeFailure(tool.Name, e));
        }
    }

    private ToolResult UnknownTool(string name)
    {
        var available = Tools.Count == 0 ? "none" : string.Join(", ", Tools.Select(t => t.Name));
        return ToolResult.FromError($"There is no tool named '{name}'. Available tools: {available}.");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ToolNamePattern();
}

using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// A grammar for constrained decoding compiled from a JSON schema (or any JSON value, or a tool call): what output text is
/// allowed, byte by byte. Vocabulary-independent and immutable; bind it to a tokenizer with <see cref="TokenConstraint"/>.
/// </summary>
/// <remarks>
/// <para>Supported keywords: <c>type</c> (one or several), <c>properties</c>, <c>required</c>, <c>additionalProperties</c>,
/// <c>items</c>, <c>prefixItems</c>, <c>minItems</c>/<c>maxItems</c> (up to 64 unrolled), <c>enum</c>, <c>const</c>,
/// <c>anyOf</c>/<c>oneOf</c>, <c>allOf</c> (one schema, or object schemas to merge), <c>$ref</c>/<c>$defs</c>/<c>definitions</c>
/// (local, recursion included), <c>nullable</c>, string <c>pattern</c> (a regular-expression subset), <c>minLength</c>/<c>maxLength</c>
/// (up to 64), and <c>format</c> <c>date</c>, <c>time</c> and <c>date-time</c> (RFC 3339: times carry an offset) and <c>uuid</c>.</para>
/// <para>Keywords that only narrow values (<c>maximum</c>, <c>multipleOf</c>, <c>uniqueItems</c>, other formats, a pattern outside
/// the subset...) are <b>ignored</b> and listed in <see cref="IgnoredKeywords"/> (the chat client logs them as warnings).
/// Keywords whose meaning a grammar cannot honour (<c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>, <c>patternProperties</c>,
/// <c>dependentSchemas</c>, <c>unevaluatedProperties</c>, <c>contains</c>, external <c>$ref</c>s) are <b>refused</b> with a
/// <see cref="JsonGrammarException"/> naming the keyword and its place.</para>
/// <para>Properties are written in the schema's order. Undeclared properties are generated only when
/// <c>additionalProperties</c> is a schema or <see langword="true"/>, or when the object declares no properties. Integers have
/// at most 9 digits unless the schema's bounds need more, other numbers at most 16 digits per part. Whitespace between tokens
/// is none, a space, or a newline with up to 20 spaces or tabs.</para>
/// </remarks>
public sealed class JsonGrammar
{
    private static readonly Lazy<JsonGrammar> Any = new(() =>
    {
        var builder = new GrammarBuilder();
        var json = new JsonFragments(builder);
        return Build(builder, json, json.AnyValue(), suffix: null, [], "any JSON value");
    });

    private JsonGrammar(GrammarGraph graph, IReadOnlyList<string> ignoredKeywords)
    {
        Graph = graph;
        IgnoredKeywords = ignoredKeywords;
    }

    /// <summary>Gets a grammar for any JSON value (plain JSON mode).</summary>
    public static JsonGrammar AnyValue => Any.Value;

    /// <summary>Gets the keywords of the schema that are not enforced, each with its schema path (empty when all are).</summary>
    public IReadOnlyList<string> IgnoredKeywords { get; }

    /// <summary>Gets the number of grammar nodes (a size measure).</summary>
    public int NodeCount => Graph.NodeCount;

    internal GrammarGraph Graph { get; }

    /// <summary>Compiles a JSON schema.</summary>
    /// <param name="schema">The schema (an object, or <see langword="true"/> for any value).</param>
    /// <param name="suffix">Literal text that must follow the value (for example a closing tag), or null.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="JsonGrammarException">The schema is malformed or uses a keyword that cannot be honoured; the message names it.</exception>
    public static JsonGrammar FromSchema(JsonElement schema, string? suffix = null)
    {
        var builder = new GrammarBuilder();
        var compiler = new SchemaCompiler(builder);
        return Build(builder, compiler.Json, compiler.CompileDocument(schema), suffix, compiler.Warnings, "#");
    }

    /// <summary>Compiles a JSON schema given as text.</summary>
    /// <param name="schemaJson">The schema as JSON text.</param>
    /// <param name="suffix">Literal text that must follow the value, or null.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="JsonGrammarException">The text is not JSON, or the schema is malformed or unsupported.</exception>
    public static JsonGrammar FromSchema(string schemaJson, string? suffix = null)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException e)
        {
            throw new JsonGrammarException($"The JSON schema is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return FromSchema(document.RootElement, suffix);
        }
    }

    /// <summary>
    /// Compiles the JSON of one call to any of <paramref name="functions"/>, as Qwen's chat templates write it:
    /// <c>{"name": "NAME", "arguments": ARGUMENTS}</c> with the arguments following that function's parameter schema.
    /// </summary>
    /// <param name="functions">The functions the call may name (at least one).</param>
    /// <param name="suffix">Literal text that must follow the call (for example <c>"\n&lt;/tool_call&gt;"</c>), or null.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="ArgumentException">No function was given.</exception>
    /// <exception cref="JsonGrammarException">A parameter schema is malformed or unsupported; the message names the function.</exception>
    public static JsonGrammar ForToolCall(IEnumerable<AIFunctionDeclaration> functions, string? suffix = null)
    {
        var list = AtLeastOne(functions);
        var builder = new GrammarBuilder();
        var compiler = new SchemaCompiler(builder);
        return Build(builder, compiler.Json, Calls(builder, compiler, list), suffix, compiler.Warnings, "tool call");
    }

    /// <summary>
    /// Compiles an answer that is either JSON (following <paramref name="schema"/>, or any JSON value when null) or one tool call
    /// written as <paramref name="callOpen"/>, a newline, the call's JSON (see <see cref="ForToolCall"/>) and <paramref name="callClose"/>:
    /// structured output from a model that may still call tools first.
    /// </summary>
    /// <param name="schema">The answer's schema, or null for any JSON value.</param>
    /// <param name="functions">The functions a call may name (at least one).</param>
    /// <param name="callOpen">The text that opens a call (Hermes: <c>&lt;tool_call&gt;</c>).</param>
    /// <param name="callClose">The text that closes it (Hermes: <c>"\n&lt;/tool_call&gt;"</c>).</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="ArgumentException">No function was given, or a marker is empty.</exception>
    /// <exception cref="JsonGrammarException">A schema is malformed or unsupported.</exception>
    public static JsonGrammar ForAnswerOrToolCall(JsonElement? schema, IEnumerable<AIFunctionDeclaration> functions, string callOpen, string callClose)
    {
        ArgumentException.ThrowIfNullOrEmpty(callOpen);
        ArgumentException.ThrowIfNullOrEmpty(callClose);
        var list = AtLeastOne(functions);
        var builder = new GrammarBuilder();
        var compiler = new SchemaCompiler(builder);
        var answer = schema is { } s ? compiler.CompileDocument(s) : compiler.Json.AnyValue();
        var call = builder.Sequence(builder.Literal(callOpen + "\n"), Calls(builder, compiler, list), builder.Literal(callClose));
        return Build(builder, compiler.Json, builder.Choice([answer, call]), suffix: null, compiler.Warnings, "answer or tool call");
    }

    private static List<AIFunctionDeclaration> AtLeastOne(IEnumerable<AIFunctionDeclaration> functions, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(functions))] string name = "")
    {
        ArgumentNullException.ThrowIfNull(functions, name);
        var list = functions.ToList();
        return list.Count > 0 ? list : throw new ArgumentException("At least one function is needed for a tool-call grammar.", name);
    }

    /// <summary>One call to any of the functions: <c>{"name": "NAME", "arguments": ARGUMENTS}</c>.</summary>
    private static Fragment Calls(GrammarBuilder builder, SchemaCompiler compiler, List<AIFunctionDeclaration> functions)
    {
        var calls = new List<Fragment>();
        foreach (var function in functions)
        {
            try
            {
                var name = SchemaCompiler.LiteralBytes(JsonSerializer.SerializeToElement(function.Name));
                calls.Add(builder.Sequence(
                    builder.Literal("{\"name\": "), builder.Bytes(name), builder.Literal(", \"arguments\": "),
                    compiler.CompileDocument(function.JsonSchema), builder.Literal("}")));
            }
            catch (JsonGrammarException e)
            {
                throw new JsonGrammarException($"Function '{function.Name}': {e.Message}", e);
            }
        }

        return builder.Choice(calls);
    }

    private static JsonGrammar Build(GrammarBuilder builder, JsonFragments json, Fragment value, string? suffix, List<string> warnings, string description)
    {
        var root = builder.NewRule();
        var body = builder.Sequence(json.Leading(), value, builder.Literal(suffix ?? string.Empty));
        builder.DefineRule(root, body);
        return new JsonGrammar(builder.Build(root, description), warnings.Distinct(StringComparer.Ordinal).ToList());
    }
}

using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Core.Tests.FunctionCalling;

/// <summary>Tool declarations and calls used across the function-call tests.</summary>
internal static class TestTools
{
    public const string WeatherSchema =
        """{"type": "object", "properties": {"city": {"type": "string", "description": "城市"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}""";

    public const string AddSchema =
        """{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}""";

    public static AIFunctionDeclaration Weather { get; } = Declare("get_weather", "Get weather for a city (°C).", WeatherSchema);

    public static AIFunctionDeclaration Add { get; } = Declare("add", "Add two ints", AddSchema);

    public static AIFunctionDeclaration CodeInterpreter { get; } = Declare(
        "code_interpreter", "Run code.", """{"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]}""");

    public static AIFunctionDeclaration Declare(string name, string description, string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return AIFunctionFactory.CreateDeclaration(name, description, document.RootElement.Clone());
    }

    public static FunctionCallContent Call(string name, string argumentsJson)
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson)!;
        return new FunctionCallContent("call_test", name, arguments);
    }

    public static string FixturePath(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    /// <summary>A declaration carrying Qwen-Agent's optional fields in its additional properties.</summary>
    public sealed class Annotated(string name, string description, string schema, AdditionalPropertiesDictionary properties) : AIFunctionDeclaration
    {
        private readonly JsonElement _schema = JsonDocument.Parse(schema).RootElement.Clone();

        public override string Name => name;

        public override string Description => description;

        public override JsonElement JsonSchema => _schema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties => properties;
    }
}

using System.Text.Json;

namespace Qwen.Tools.Tests.Tooling;

public sealed class JsonSchemaValidatorTests
{
    public enum Priority
    {
        Low,
        High,
    }

    [Fact]
    public async Task InvokeAsync_MethodWithNestedRecordsListsAndEnum_AcceptsValidArguments()
    {
        var registry = OrderRegistry();

        var result = await registry.InvokeAsync(
            "place_order",
            """{"order": {"id": "A1", "lines": [{"sku": "pen", "qty": 2}], "ship": {"city": "Hangzhou"}}, "extras": [{"sku": "ink", "qty": 1}], "priority": "High"}""");

        Assert.False(result.IsError, result.Text);
        Assert.Equal("A1: 3 items, High", result.Text);
    }

    [Theory]
    [InlineData("""{"order": {"id": "A1", "lines": [{"sku": "pen", "qty": 1.5}], "ship": {"city": "X"}}, "extras": [], "priority": "Low"}""",
        "Argument 'order.lines[0].qty' must be an integer, not the number 1.5.")]
    [InlineData("""{"order": {"id": "A1", "lines": [], "ship": {"city": 3}}, "extras": [], "priority": "Low"}""",
        "Argument 'order.ship.city' must be a string, not the number 3.")]
    [InlineData("""{"order": {"id": "A1", "lines": [], "ship": {}}, "extras": [], "priority": "Low"}""",
        "Argument 'order.ship.city' is required but missing (a string).")]
    [InlineData("""{"order": {"id": "A1", "lines": [], "ship": {"city": "X"}}, "extras": [{"qty": 1}], "priority": "Low"}""",
        "Argument 'extras[0].sku' is required but missing (a string).")]
    [InlineData("""{"order": {"id": "A1", "lines": [], "ship": {"city": "X"}}, "extras": [], "priority": "Urgent"}""",
        "Argument 'priority' must be one of \"Low\", \"High\", not the string \"Urgent\".")]
    public async Task InvokeAsync_MethodWithNestedRecordsListsAndEnum_NamesTheNestedArgument(string arguments, string expected)
    {
        var registry = OrderRegistry();

        var result = await registry.InvokeAsync("place_order", arguments);

        Assert.True(result.IsError);
        Assert.Contains(expected, result.Text);
    }

    [Fact]
    public async Task InvokeAsync_RecursiveRecord_FollowsTheSchemasRef()
    {
        var registry = new ToolRegistry();
        var tool = registry.Register((Folder root) => root.Name, "tree", "Reads a folder tree.");
        Assert.Contains("$ref", tool.JsonSchema.GetRawText());

        var ok = await registry.InvokeAsync("tree", """{"root": {"name": "a", "children": [{"name": "b", "children": []}]}}""");
        var bad = await registry.InvokeAsync("tree", """{"root": {"name": "a", "children": [{"name": 7, "children": []}]}}""");

        Assert.False(ok.IsError, ok.Text);
        Assert.True(bad.IsError);
        Assert.Contains("Argument 'root.children[0].name' must be a string", bad.Text);
    }

    [Fact]
    public void Validate_RefIntoDefs_ChecksTheReferencedSchema()
    {
        var schema = Parse("""{"$defs": {"point": {"type": "object", "properties": {"x": {"type": "integer", "minimum": 0}}, "required": ["x"]}}, "type": "object", "properties": {"at": {"$ref": "#/$defs/point"}}}""");

        Assert.Empty(JsonSchemaValidator.Validate(schema, Parse("""{"at": {"x": 3}}""")));
        Assert.Equal(["Argument 'at.x' must be at least 0, not -1."], JsonSchemaValidator.Validate(schema, Parse("""{"at": {"x": -1}}""")));
        Assert.Equal(["Argument 'at.x' is required but missing (an integer)."], JsonSchemaValidator.Validate(schema, Parse("""{"at": {}}""")));
    }

    [Fact]
    public void Validate_AllOf_ReportsTheBrokenPart()
    {
        var schema = Parse("""{"type": "object", "properties": {"code": {"allOf": [{"type": "string"}, {"maxLength": 2}]}}}""");

        Assert.Empty(JsonSchemaValidator.Validate(schema, Parse("""{"code": "ab"}""")));
        Assert.Equal(["Argument 'code' must be at most 2 characters long, not 3."], JsonSchemaValidator.Validate(schema, Parse("""{"code": "abc"}""")));
    }

    [Fact]
    public void Validate_AnyOfNullableRef_ReportsTheFormWhoseTypeFits()
    {
        var schema = Parse("""{"$defs": {"p": {"type": "object", "properties": {"x": {"type": "integer"}}}}, "type": "object", "properties": {"at": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/p"}]}}}""");

        Assert.Empty(JsonSchemaValidator.Validate(schema, Parse("""{"at": null}""")));
        Assert.Equal(["Argument 'at.x' must be an integer, not the string \"s\"."], JsonSchemaValidator.Validate(schema, Parse("""{"at": {"x": "s"}}""")));
        var none = Assert.Single(JsonSchemaValidator.Validate(schema, Parse("""{"at": 5}""")));
        Assert.StartsWith("Argument 'at' matches none of the allowed forms (for example: Argument 'at' must be null, not the number 5.)", none);
    }

    [Fact]
    public void Validate_OneOf_RejectsAValueMatchingTwoForms()
    {
        var schema = Parse("""{"type": "object", "properties": {"n": {"oneOf": [{"type": "integer"}, {"minimum": 0}]}}}""");

        Assert.Empty(JsonSchemaValidator.Validate(schema, Parse("""{"n": -3}""")));
        Assert.Equal(["Argument 'n' matches 2 of the allowed forms; it must match exactly one."], JsonSchemaValidator.Validate(schema, Parse("""{"n": 4}""")));
    }

    [Fact]
    public void Validate_PassingOneOfBesideAnotherError_ReportsOnlyTheOtherError()
    {
        var schema = Parse("""{"type": "object", "required": ["b"], "oneOf": [{"required": ["a"]}, {"required": ["c"]}]}""");

        Assert.Equal(["Argument 'b' is required but missing."], JsonSchemaValidator.Validate(schema, Parse("""{"a": 1}""")));
    }

    [Fact]
    public void Validate_Draft07SchemaFromAnMcpServer_IsUnderstood()
    {
        var schema = Parse("""{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"q": {"type": "string", "pattern": "^[a-z]+$"}}, "additionalProperties": false}""");

        Assert.Equal(["Argument 'q' must match the pattern \"^[a-z]+$\"."], JsonSchemaValidator.Validate(schema, Parse("""{"q": "A"}""")));
        Assert.Equal(["Argument 'x' is not a parameter of this tool (known parameters: 'q')."], JsonSchemaValidator.Validate(schema, Parse("""{"q": "a", "x": 1}""")));
    }

    [Fact]
    public void Validate_KeywordWithoutOwnWording_PassesTheLibrarysReasonOn()
    {
        var schema = Parse("""{"type": "object", "properties": {"n": {"type": "integer", "multipleOf": 5}}}""");

        var error = Assert.Single(JsonSchemaValidator.Validate(schema, Parse("""{"n": 7}""")));
        Assert.StartsWith("Argument 'n' breaks the schema's 'multipleOf' rule: ", error);
    }

    [Fact]
    public async Task InvokeAsync_ToolWithUnresolvableRef_ReturnsAnErrorNamingTheSchema()
    {
        var registry = new ToolRegistry();
        registry.Register(new SchemaOnlyFunction("broken", """{"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}"""));

        var result = await registry.InvokeAsync("broken", """{"a": 1}""");

        Assert.True(result.IsError);
        Assert.StartsWith("Error: Tool 'broken' failed: The JSON Schema cannot be evaluated", result.Text);
    }

    [Fact]
    public void Register_ToolWhoseSchemaIsNotASchema_ThrowsNamingTheTool()
    {
        var registry = new ToolRegistry();

        var error = Assert.Throws<ArgumentException>(() => registry.Register(new SchemaOnlyFunction("odd", """{"type": 5}""")));

        Assert.Contains("tool 'odd'", error.Message);
    }

    private static ToolRegistry OrderRegistry()
    {
        var registry = new ToolRegistry();
        registry.Register(
            (Order order, List<OrderLine> extras, Priority priority) =>
                $"{order.Id}: {order.Lines.Sum(l => l.Qty) + extras.Sum(l => l.Qty)} items, {priority}",
            "place_order",
            "Places an order.");
        return registry;
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public sealed record Order(string Id, List<OrderLine> Lines, Address Ship);

    public sealed record OrderLine(string Sku, int Qty);

    public sealed record Address(string City);

    public sealed record Folder(string Name, List<Folder> Children);

    private sealed class SchemaOnlyFunction(string name, string schema) : Microsoft.Extensions.AI.AIFunction
    {
        private readonly JsonElement _schema = Parse(schema);

        public override string Name => name;

        public override JsonElement JsonSchema => _schema;

        protected override ValueTask<object?> InvokeCoreAsync(Microsoft.Extensions.AI.AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult<object?>(null);
    }
}

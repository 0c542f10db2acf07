using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Runtime.Tests;

/// <summary>
/// Constrained decoding end to end on a random-weight model, whose unconstrained output is noise: any valid JSON here is the
/// grammar's doing.
/// </summary>
public sealed class QwenChatClientStructuredOutputTests(TinyChatModel fixture) : IClassFixture<TinyChatModel>
{
    public enum Sky
    {
        Clear,
        Cloudy,
        Rain,
    }

    private static List<ChatMessage> Ask(string text = "Describe the weather as JSON.") => [new(ChatRole.User, text)];

    private static ChatOptions Options(ChatResponseFormat? format = null, int maxTokens = 120, bool thinking = false) => new()
    {
        Temperature = 0,
        MaxOutputTokens = maxTokens,
        ResponseFormat = format,
        AdditionalProperties = new() { [QwenChatClient.EnableThinkingKey] = thinking },
    };

    [Fact]
    public async Task GetResponseAsyncOfT_RecordWithEnumListAndNullable_Deserializes()
    {
        var options = Options(maxTokens: 160);

        var response = await fixture.Client.GetResponseAsync<Forecast>(Ask(), options);

        Assert.True(response.TryGetResult(out var forecast), response.Text);
        Assert.NotNull(forecast.City);
        Assert.True(Enum.IsDefined(forecast.Sky));
        Assert.NotNull(forecast.Tags);
        AssertValid(AIJsonUtilities.CreateJsonSchema(typeof(Forecast), serializerOptions: AIJsonUtilities.DefaultOptions), response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_JsonMode_AnswerIsJson()
    {
        var response = await fixture.Client.GetResponseAsync(Ask(), Options(ChatResponseFormat.Json, maxTokens: 60));

        using var document = JsonDocument.Parse(response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
    }

    [Fact]
    public async Task GetResponseAsync_ThinkingOn_ReasoningStaysFreeAndTheAnswerValidates()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"ok":{"type":"boolean"},"n":{"type":"integer"}},"required":["ok","n"],"additionalProperties":false}""");

        var response = await fixture.Client.GetResponseAsync(Ask(), Options(ChatResponseFormat.ForJsonSchema(schema.RootElement), maxTokens: 80, thinking: true));

        AssertValid(schema.RootElement, response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_RecursiveSchema_Validates()
    {
        using var schema = JsonDocument.Parse("""{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"name":{"type":"string","maxLength":6},"children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["name","children"],"additionalProperties":false}}}""");

        var response = await fixture.Client.GetResponseAsync(Ask(), Options(ChatResponseFormat.ForJsonSchema(schema.RootElement), maxTokens: 100));

        AssertValid(schema.RootElement, response.Text);
    }

    [Fact]
    public async Task FunctionInvokingChatClient_RequiredNamedTool_CallsItWithValidArguments()
    {
        var calls = new List<(string City, int Days)>();
        var weather = AIFunctionFactory.Create((string city, int days) => { calls.Add((city, days)); return "sunny"; }, "get_weather", "Weather forecast.");
        var time = AIFunctionFactory.Create((string zone) => "12:00", "get_time");
        using var invoking = new FunctionInvokingChatClient(new QwenChatClient(fixture.Model)) { MaximumIterationsPerRequest = 2 }; // disposes its own client, not the shared one
        var options = Options(maxTokens: 60);
        options.Tools = [weather, time];
        options.ToolMode = ChatToolMode.RequireSpecific("get_weather");

        var response = await invoking.GetResponseAsync(Ask("Weather in Paris for 3 days?"), options);

        Assert.NotEmpty(calls);
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();
        Assert.Equal("get_weather", call.Name);
        AssertValid(weather.JsonSchema, JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions));
        Assert.Contains(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.CallId == call.CallId);
    }

    [Fact]
    public async Task GetResponseAsync_RequiredAnyTool_WritesACallToAnOfferedTool()
    {
        var weather = AIFunctionFactory.Create((string city, int days) => "sunny", "get_weather");
        var time = AIFunctionFactory.Create((string zone, bool utc) => "12:00", "get_time");
        var options = Options(maxTokens: 60);
        options.Tools = [weather, time];
        options.ToolMode = ChatToolMode.RequireAny;

        var response = await fixture.Client.GetResponseAsync(Ask(), options);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        var function = call.Name == "get_weather" ? weather : time;
        Assert.Contains(call.Name, new[] { "get_weather", "get_time" });
        AssertValid(function.JsonSchema, JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_SchemaAndAutoTools_AnswersJsonOrCallsATool()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"summary":{"type":"string","maxLength":8}},"required":["summary"],"additionalProperties":false}""");
        var weather = AIFunctionFactory.Create((string city) => "sunny", "get_weather");
        for (var seed = 0; seed < 3; seed++)
        {
            var options = Options(ChatResponseFormat.ForJsonSchema(schema.RootElement), maxTokens: 60);
            options.Tools = [weather];
            options.Temperature = 1;
            options.Seed = seed;

            var response = await fixture.Client.GetResponseAsync(Ask(), options);

            if (response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault() is { } call)
            {
                Assert.Equal("get_weather", call.Name);
                AssertValid(weather.JsonSchema, JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions));
            }
            else
            {
                AssertValid(schema.RootElement, response.Text);
            }
        }
    }

    [Fact]
    public async Task GetResponseAsync_EightConcurrentRequestsWithDifferentSchemas_AllValidateAndShareBatches()
    {
        string[] schemas =
        [
            """{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false}""",
            """{"type":"array","items":{"type":"string","enum":["x","y"]},"minItems":1,"maxItems":3}""",
            """{"type":"object","properties":{"when":{"type":"string","format":"date"},"id":{"type":"string","format":"uuid"}},"required":["when","id"],"additionalProperties":false}""",
            """{"anyOf":[{"type":"boolean"},{"type":"null"}]}""",
            """{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{2}[0-9]{3}$"}},"required":["code"],"additionalProperties":false}""",
            """{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","maxLength":4}}},"required":["tags"],"additionalProperties":false}""",
            """{"type":"number"}""",
            """{"type":"object","properties":{"p":{"type":["string","null"]},"q":{"const":7}},"required":["p","q"],"additionalProperties":false}""",
        ];
        var documents = schemas.Select(s => JsonDocument.Parse(s)).ToList();
        try
        {
            var tasks = documents.Select((d, i) => fixture.Client.GetResponseAsync(Ask($"Request {i}"), Options(ChatResponseFormat.ForJsonSchema(d.RootElement), maxTokens: 50 + (i * 5)))).ToList();
            var plain = fixture.Client.GetResponseAsync(Ask("Unconstrained"), Options(maxTokens: 30));

            var responses = await Task.WhenAll(tasks);
            await plain;

            for (var i = 0; i < responses.Length; i++)
            {
                AssertValid(documents[i].RootElement, responses[i].Text);
            }

            Assert.True(fixture.Model.Scheduler.LargestBatch > 1, "the requests were never decoded together");
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public async Task GenerateAsync_ConstraintWithoutAnyEndId_Throws()
    {
        var constraint = TokenConstraint.Create(JsonGrammar.AnyValue, QwenTokenizer.FromDirectory(fixture.Directory));
        var options = new GenerationOptions { Constraint = constraint, IgnoreEos = true };

        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var update in fixture.Model.GenerateAsync([1, 2, 3], options))
            {
                Assert.Fail("no token expected");
            }
        });
    }

    private static void AssertValid(JsonElement schema, string json)
    {
        var node = JsonNode.Parse(json);
        var result = JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() })
            .Evaluate(JsonSerializer.SerializeToElement(node), new EvaluationOptions { RequireFormatValidation = true });
        Assert.True(result.IsValid, $"{json}\ndoes not validate against\n{schema}");
    }

    public sealed record Forecast(string City, Sky Sky, List<string> Tags, int? Temperature);
}

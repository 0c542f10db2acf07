using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Core.Tests;

public sealed class ChatTemplateTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "qwen-template-tests-" + Guid.NewGuid().ToString("N"));

    public ChatTemplateTests() => Directory.CreateDirectory(_scratch);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void FromDirectory_Qwen3Checkpoint_ReadsTemplateAndSpecialTokens()
    {
        var template = ChatTemplate.FromDirectory(TemplateFixtures.ModelDirectory("qwen3"));

        Assert.Equal("<|im_end|>", template.EosToken);
        Assert.Null(template.BosToken);
        Assert.Contains("enable_thinking", template.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_MissingDirectory_ThrowsDirectoryNotFoundNamingIt()
    {
        var missing = Path.Combine(_scratch, "nope");

        var error = Assert.Throws<DirectoryNotFoundException>(() => ChatTemplate.FromDirectory(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_NoTemplateAnywhere_ThrowsFileNotFound()
    {
        File.WriteAllText(Path.Combine(_scratch, "tokenizer_config.json"), """{"eos_token": "</s>"}""");

        var error = Assert.Throws<FileNotFoundException>(() => ChatTemplate.FromDirectory(_scratch));

        Assert.Contains("chat_template", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_InvalidJson_ThrowsInvalidDataNamingTheFile()
    {
        File.WriteAllText(Path.Combine(_scratch, "tokenizer_config.json"), "{ not json");

        var error = Assert.Throws<InvalidDataException>(() => ChatTemplate.FromDirectory(_scratch));

        Assert.Contains("tokenizer_config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_TemplateFieldOfWrongType_ThrowsInvalidDataNamingTheField()
    {
        File.WriteAllText(Path.Combine(_scratch, "tokenizer_config.json"), """{"chat_template": 42}""");

        var error = Assert.Throws<InvalidDataException>(() => ChatTemplate.FromDirectory(_scratch));

        Assert.Contains("'chat_template'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_ChatTemplateJinjaFile_TakesPrecedenceOverConfig()
    {
        File.WriteAllText(Path.Combine(_scratch, "tokenizer_config.json"), """{"chat_template": "from config", "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>"}""");
        File.WriteAllText(Path.Combine(_scratch, "chat_template.jinja"), "{{ bos_token }}from file {{ messages[0].content }}{{ eos_token }}\n");

        var template = ChatTemplate.FromDirectory(_scratch);

        Assert.Equal("<s>", template.BosToken);
        Assert.Equal("<s>from file hi</s>", template.RenderJson(UserMessage("hi")));
    }

    [Fact]
    public void FromDirectory_NamedTemplates_UsesDefaultAndToolUseWhenToolsAreGiven()
    {
        File.WriteAllText(Path.Combine(_scratch, "tokenizer_config.json"),
            """{"chat_template": [{"name": "default", "template": "plain"}, {"name": "tool_use", "template": "tools: {{ tools|length }}"}]}""");
        var template = ChatTemplate.FromDirectory(_scratch);

        var plain = template.RenderJson(UserMessage("x"));
        var withTools = template.RenderJson(UserMessage("x"), new ChatTemplateOptions { ToolsJson = [new JsonObject { ["type"] = "function" }] });

        Assert.Equal("plain", plain);
        Assert.Equal("tools: 1", withTools);
    }

    [Fact]
    public void FromDirectory_NamedTemplatesWithoutDefault_RenderThrowsTemplateException()
    {
        File.WriteAllText(Path.Combine(_scratch, "tokenizer_config.json"), """{"chat_template": [{"name": "rag", "template": "x"}]}""");
        var template = ChatTemplate.FromDirectory(_scratch);

        var error = Assert.Throws<TemplateException>(() => template.RenderJson(UserMessage("x")));

        Assert.Contains("default", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_TemplateWithSyntaxError_NamesDirectoryAndPosition()
    {
        File.WriteAllText(Path.Combine(_scratch, "chat_template.jinja"), "ok\n{% if %}");

        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromDirectory(_scratch));

        Assert.Contains(_scratch, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void FromSource_NullSource_ThrowsArgumentNull() =>
        Assert.Throws<ArgumentNullException>(() => ChatTemplate.FromSource(null!));

    [Fact]
    public void Render_NullMessages_ThrowsArgumentNull() =>
        Assert.Throws<ArgumentNullException>(() => ChatTemplate.FromSource("x").Render(null!));

    [Theory]
    [InlineData("qwen2.5")]
    [InlineData("qwen3")]
    public void Render_ChatMessagesWithCallsAndResults_MatchesTheGoldenOfTheSameConversation(string model)
    {
        var template = ChatTemplate.FromDirectory(TemplateFixtures.ModelDirectory(model));
        var testCase = TemplateFixtures.Case(TemplateFixtures.ReadArray("chat-template", "cases.json"), "tools_call_and_response");
        var expected = TemplateFixtures.ReadLines("chat-template", $"golden_{model}.jsonl").Single(l => l["name"]!.GetValue<string>() == "tools_call_and_response")["text"]!.GetValue<string>();
        ChatMessage[] messages =
        [
            new(ChatRole.User, "Weather in Paris and 北京?"),
            new(ChatRole.Assistant,
            [
                new FunctionCallContent("call-1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
                new FunctionCallContent("call-2", "get_weather", new Dictionary<string, object?> { ["city"] = "北京", ["unit"] = "c" }),
            ]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", "{\"temp\": 18}"), new FunctionResultContent("call-2", "{\"temp\": 25}")]),
        ];

        var text = template.Render(messages, TemplateFixtures.OptionsOf(testCase));

        Assert.Equal(expected, text);
    }

    [Fact]
    public void Render_ReasoningAfterTheLastUserTurn_IsRenderedInThinkTags()
    {
        var template = ChatTemplate.FromDirectory(TemplateFixtures.ModelDirectory("qwen3"));
        ChatMessage[] messages =
        [
            new(ChatRole.User, "2+2?"),
            new(ChatRole.Assistant, [new TextReasoningContent("Add them."), new TextContent("4")]),
        ];

        var text = template.Render(messages);

        Assert.Equal("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nAdd them.\n</think>\n\n4<|im_end|>\n", text);
    }

    [Fact]
    public void Render_MessageShape_MapsEveryContentKind()
    {
        var template = ChatTemplate.FromSource("{{ messages|tojson }}");
        ChatMessage[] messages =
        [
            new(ChatRole.System, "sys"),
            new(ChatRole.Assistant, [new TextReasoningContent("why"), new TextContent("a"), new TextContent("b"), new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["n"] = 1, ["s"] = "x" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", new { temp = 18 }), new FunctionResultContent("c2", null) { Exception = new InvalidOperationException("boom") }]),
        ];

        var json = JsonNode.Parse(template.Render(messages))!.AsArray();

        Assert.Equal("""{"role":"system","content":"sys"}""", json[0]!.ToJsonString());
        Assert.Equal("""{"role":"assistant","content":"ab","reasoning_content":"why","tool_calls":[{"type":"function","function":{"name":"f","arguments":{"n":1,"s":"x"}},"id":"c1"}]}""", json[1]!.ToJsonString());
        Assert.Equal(("tool", "{\"temp\":18}", "c1"), (Text(json[2]!, "role"), Text(json[2]!, "content"), Text(json[2]!, "tool_call_id")));
        Assert.Equal(("tool", "Error: boom", "c2"), (Text(json[3]!, "role"), Text(json[3]!, "content"), Text(json[3]!, "tool_call_id")));
        Assert.Equal(4, json.Count);
    }

    [Fact]
    public void Render_ArgumentsOfEveryDictionaryAndValueKind_BecomeJsonObjects()
    {
        var template = ChatTemplate.FromSource("{% for m in messages %}{% for c in m.tool_calls %}{{ c.function.arguments|tojson }};{% endfor %}{% endfor %}");
        var parsed = JsonDocument.Parse("""{"n": 2.0, "list": [1, "x"], "obj": {"k": null}}""").RootElement;
        ChatMessage[] messages =
        [
            new(ChatRole.Assistant,
            [
                new FunctionCallContent("a", "f", new AIFunctionArguments { ["city"] = "Paris", ["days"] = 3 }),
                new FunctionCallContent("b", "f", parsed.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value)),
                new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["when"] = new DateOnly(2024, 7, 6), ["ratio"] = 0.5f, ["flags"] = new[] { true, false } }),
                new FunctionCallContent("d", "f"),
            ]),
        ];

        var text = template.Render(messages);

        Assert.Equal("""{"city": "Paris", "days": 3};{"n": 2.0, "list": [1, "x"], "obj": {"k": null}};{"when": "2024-07-06", "ratio": 0.5, "flags": [true, false]};{};""", text);
    }

    [Fact]
    public void Render_ImageContent_ThrowsNotSupportedNamingTheContentType()
    {
        var template = ChatTemplate.FromSource("x");
        ChatMessage[] messages = [new(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png")])];

        var error = Assert.Throws<NotSupportedException>(() => template.Render(messages));

        Assert.Contains(nameof(DataContent), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AIFunctionTools_BecomeOpenAIStyleFunctionSpecs()
    {
        var template = ChatTemplate.FromDirectory(TemplateFixtures.ModelDirectory("qwen3"));
        var function = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Get the weather.");
        var spec = new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = "get_weather", ["description"] = "Get the weather.", ["parameters"] = JsonNode.Parse(function.JsonSchema.GetRawText()) },
        };
        ChatMessage[] messages = [new(ChatRole.User, "Weather?")];

        var fromFunctions = template.Render(messages, new ChatTemplateOptions { Tools = [function] });
        var fromJson = template.Render(messages, new ChatTemplateOptions { ToolsJson = [spec] });

        Assert.Equal(fromJson, fromFunctions);
        Assert.Contains("{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Get the weather.\", \"parameters\": {", fromFunctions, StringComparison.Ordinal);
        Assert.Contains("\"city\": {", fromFunctions, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderJson_ExtraVariables_AreVisibleAsPythonValues()
    {
        var template = ChatTemplate.FromSource("{{ date_string }}|{{ n + 1 }}|{{ ratio }}|{{ items|length }}|{{ flags.on }}|{{ node.k }}");
        var options = new ChatTemplateOptions
        {
            ExtraVariables = new Dictionary<string, object?>
            {
                ["date_string"] = "26 Jul 2024",
                ["n"] = 41,
                ["ratio"] = 2.0,
                ["items"] = new[] { 1, 2, 3 },
                ["flags"] = new Dictionary<string, object?> { ["on"] = true },
                ["node"] = JsonNode.Parse("""{"k": [1, 2.5, null]}"""),
            },
        };

        Assert.Equal("26 Jul 2024|42|2.0|3|True|[1, 2.5, None]", template.RenderJson([], options));
    }

    [Theory]
    [InlineData("messages")]
    [InlineData("tools")]
    [InlineData("add_generation_prompt")]
    public void RenderJson_ExtraVariableNamedLikeABuiltIn_ThrowsArgumentException(string name)
    {
        var options = new ChatTemplateOptions { ExtraVariables = new Dictionary<string, object?> { [name] = 1 } };

        var error = Assert.Throws<ArgumentException>(() => ChatTemplate.FromSource("x").RenderJson([], options));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderJson_DefaultVariables_MatchWhatTransformersPasses()
    {
        var template = ChatTemplate.FromSource("{{ tools is none }} {{ documents is none }} {{ add_generation_prompt }} {{ enable_thinking is defined }} {{ bos_token is defined }} {{ eos_token }}", eosToken: "</s>");

        Assert.Equal("True True False False False </s>", template.RenderJson([]));
        Assert.Equal("True True True True False </s>", template.RenderJson([], new ChatTemplateOptions { AddGenerationPrompt = true, EnableThinking = false }));
    }

    [Fact]
    public void RenderJson_EnableThinkingFalse_AddsTheEmptyThinkBlock()
    {
        var template = ChatTemplate.FromDirectory(TemplateFixtures.ModelDirectory("qwen3"));

        var text = template.RenderJson(UserMessage("Hi"), new ChatTemplateOptions { AddGenerationPrompt = true, EnableThinking = false });

        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderJson_StrftimeNow_ReadsTheGivenClock()
    {
        var template = ChatTemplate.FromSource("{{ strftime_now('%Y-%m-%d %H:%M:%S %b %B %a %-d %j') }}");
        var clock = new FixedTimeProvider(new DateTimeOffset(2024, 7, 6, 9, 5, 3, TimeSpan.Zero));

        var text = template.RenderJson([], new ChatTemplateOptions { TimeProvider = clock });

        Assert.Equal("2024-07-06 09:05:03 Jul July Sat 6 188", text);
    }

    [Fact]
    public void RenderJson_ManyThreadsAtOnce_AllRenderTheSameText()
    {
        var template = ChatTemplate.FromDirectory(TemplateFixtures.ModelDirectory("qwen3"));
        var cases = TemplateFixtures.ReadArray("jinja", "chat_cases_extra.json");
        var testCase = TemplateFixtures.Case(cases, "multi_turn_tool_calls");
        var expected = template.RenderJson(TemplateFixtures.MessagesOf(testCase), TemplateFixtures.OptionsOf(testCase));
        var results = new string[64];

        Parallel.For(0, results.Length, i => results[i] = template.RenderJson(TemplateFixtures.MessagesOf(testCase), TemplateFixtures.OptionsOf(testCase)));

        Assert.All(results, text => Assert.Equal(expected, text));
    }

    private static string Text(JsonNode node, string key) => node[key]!.GetValue<string>();

    private static JsonArray UserMessage(string text) => [new JsonObject { ["role"] = "user", ["content"] = text }];

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override DateTimeOffset GetUtcNow() => now;
    }
}

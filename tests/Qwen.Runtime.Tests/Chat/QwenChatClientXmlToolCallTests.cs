using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Runtime.Tests;

/// <summary>A checkpoint whose chat template is Qwen3-Coder's: the client reads the model's XML calls, with the tokens scripted.</summary>
public sealed class QwenChatClientXmlToolCallTests : IDisposable
{
    private const string WeatherCall = "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>";

    private readonly TempDirectory _checkpoint = new();

    public QwenChatClientXmlToolCallTests()
    {
        // A tiny checkpoint's tokenizer with Qwen3-Coder's chat_template.jinja (which wins over tokenizer_config.json's template).
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(Fixtures.TinyModel("qwen3_tiny"), file), Path.Combine(_checkpoint.Path, file));
        }

        File.Copy(Path.Combine(Fixtures.Root, "chat-templates", "qwen3_coder_chat_template.jinja"), Path.Combine(_checkpoint.Path, "chat_template.jinja"));
    }

    public void Dispose() => _checkpoint.Dispose();

    [Fact]
    public async Task FunctionInvokingChatClient_Qwen3CoderTemplate_ParsesXmlCallsAndRendersThemBack()
    {
        var (client, generator) = Create(WeatherCall, "Sunny for 3 days in Paris.");
        var calls = new List<(string City, int Days)>();
        var tool = AIFunctionFactory.Create((string city, int days) => { calls.Add((city, days)); return "sunny"; }, "get_weather", "Weather of a city.");
        using var invoking = new FunctionInvokingChatClient(client);

        var response = await invoking.GetResponseAsync([new(ChatRole.User, "Weather in Paris?")], new ChatOptions { Tools = [tool] });

        Assert.Equal([("Paris", 3)], calls);
        Assert.Equal("Sunny for 3 days in Paris.", response.Text);
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal(call.CallId, response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().CallId);
        Assert.Contains("<function>\n<name>get_weather</name>\n<description>Weather of a city.</description>", generator.Prompts[0], StringComparison.Ordinal);
        Assert.Contains("<|im_start|>assistant\n" + WeatherCall + "<|im_end|>\n<|im_start|>user\n<tool_response>\nsunny\n</tool_response>\n<|im_end|>\n<|im_start|>assistant\n", generator.Prompts[1], StringComparison.Ordinal);
        Assert.DoesNotContain(response.Messages.SelectMany(m => m.Contents).OfType<TextContent>(), t => t.Text.Contains("function=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Qwen3CoderTemplate_TypesValuesByTheToolSchema()
    {
        var (client, _) = Create("Checking.\n<tool_call>\n<function=lookup>\n<parameter=code>\n0042\n</parameter>\n<parameter=limit>\n5\n</parameter>\n</function>\n</tool_call>");
        var tool = AIFunctionFactory.Create((string code, int limit) => "ok", "lookup");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Look up 0042")], new ChatOptions { Tools = [tool] }))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal("Checking.", response.Text);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("\"0042\"", System.Text.Json.JsonSerializer.Serialize(call.Arguments!["code"]));
        Assert.Equal("5", System.Text.Json.JsonSerializer.Serialize(call.Arguments!["limit"]));
    }

    [Fact]
    public async Task GetResponseAsync_HermesTemplate_KeepsReadingJsonCalls()
    {
        var (client, _) = ScriptedGenerator.Create("<function=f>\n</function>");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [AIFunctionFactory.Create(() => "x", "f")] });

        Assert.Equal("<function=f>\n</function>", response.Text);
    }

    private (QwenChatClient Client, ScriptedGenerator Generator) Create(params string[] replies)
    {
        var tokenizer = QwenTokenizer.FromDirectory(_checkpoint.Path);
        var generator = new ScriptedGenerator(tokenizer, GenerationConfig.Load(Fixtures.TinyModel("qwen3_tiny")), replies);
        return (new QwenChatClient(generator, tokenizer, ChatTemplate.FromDirectory(_checkpoint.Path), options: null, ownedModel: null), generator);
    }
}

using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Runtime.Tests;

/// <summary>QwenChatClient over a real (tiny, random-weight) Qwen3 model: streaming, usage, concurrency, cancellation, limits and options.</summary>
public sealed class QwenChatClientTests(TinyChatModel fixture) : IClassFixture<TinyChatModel>
{
    private static readonly ChatOptions Greedy = new() { Temperature = 0, MaxOutputTokens = 12 };

    private static List<ChatMessage> Conversation(string text = "Hello, who are you?") =>
        [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];

    [Fact]
    public async Task GetStreamingResponseAsync_Greedy_EqualsGetResponseAsync()
    {
        var response = await fixture.Client.GetResponseAsync(Conversation(), Greedy);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in fixture.Client.GetStreamingResponseAsync(Conversation(), Greedy))
        {
            updates.Add(update);
        }

        var streamed = updates.ToChatResponse();
        Assert.NotEqual(string.Empty, response.Text);
        Assert.Equal(response.Text, streamed.Text);
        Assert.Equal(response.FinishReason, streamed.FinishReason);
        Assert.Equal(response.Usage?.OutputTokenCount, streamed.Usage?.OutputTokenCount);
        Assert.Equal(response.Usage?.InputTokenCount, streamed.Usage?.InputTokenCount);
        Assert.Equal(string.Concat(updates.Select(u => u.Text)), streamed.Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AnyRequest_OneMessageIdAndUsageInLastUpdate()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in fixture.Client.GetStreamingResponseAsync(Conversation(), Greedy))
        {
            updates.Add(update);
        }

        Assert.Single(updates.Select(u => u.MessageId).Distinct());
        Assert.NotNull(updates[0].MessageId);
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.All(updates.SkipLast(1), u => Assert.Null(u.FinishReason));
        var last = updates[^1];
        Assert.NotNull(last.FinishReason);
        var usage = Assert.IsType<UsageContent>(Assert.Single(last.Contents)).Details;

        var prompt = ScriptedGenerator.Template.Render(Conversation(), new Core.ChatTemplateOptions { AddGenerationPrompt = true });
        Assert.Equal(ScriptedGenerator.Tokenizer.EncodeToIds(prompt).Count, usage.InputTokenCount);
        Assert.InRange(usage.OutputTokenCount!.Value, 1, 12);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
        Assert.Equal(last.FinishReason == ChatFinishReason.Length, usage.OutputTokenCount == 12);
    }

    [Fact]
    public async Task GetResponseAsync_MaxOutputTokensOne_FinishesWithLength()
    {
        // One token can only end by length, unless the very first token is an end-of-turn id.
        var response = await fixture.Client.GetResponseAsync(Conversation(), new ChatOptions { Temperature = 0, MaxOutputTokens = 1 });

        Assert.Equal(1, response.Usage?.OutputTokenCount);
        Assert.Contains(response.FinishReason, new ChatFinishReason?[] { ChatFinishReason.Length, ChatFinishReason.Stop });
    }

    [Fact]
    public async Task GetResponseAsync_ConcurrentGreedyRequests_SameAsEachAlone()
    {
        string[] questions = ["What is 2 + 2?", "Name a colour.", "Say hello in French."];
        var alone = new List<string>();
        foreach (var q in questions)
        {
            alone.Add((await fixture.Client.GetResponseAsync(Conversation(q), Greedy)).Text);
        }

        Assert.Equal(questions.Length, alone.Distinct().Count());
        var together = await Task.WhenAll(questions.Select(q => Task.Run(() => fixture.Client.GetResponseAsync(Conversation(q), Greedy))));

        Assert.Equal(alone, together.Select(r => r.Text));
    }

    [Fact]
    public void GetStreamingResponseAsync_PromptLongerThanContext_ThrowsBeforeGenerating()
    {
        var huge = string.Join(' ', Enumerable.Repeat("word", 5000));

        var e = Assert.Throws<ContextLengthExceededException>(() => fixture.Client.GetStreamingResponseAsync(Conversation(huge)));

        Assert.Equal(4096, e.ContextLength);
        Assert.True(e.PromptTokens > 4096);
        Assert.Contains(e.PromptTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.Contains("4096", e.Message);
    }

    [Fact]
    public async Task GetResponseAsync_WithOptionsAndMessages_DoesNotMutateThem()
    {
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Weather of a city.");
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = 4,
            Instructions = "Answer briefly.",
            StopSequences = ["\n\n\n"],
            Tools = [tool],
            ToolMode = ChatToolMode.Auto,
            AdditionalProperties = new() { [QwenChatClient.EnableThinkingKey] = false },
        };
        var messages = Conversation();
        var optionsBefore = JsonSerializer.Serialize(options, AIJsonUtilities.DefaultOptions);
        var messagesBefore = JsonSerializer.Serialize(messages, AIJsonUtilities.DefaultOptions);

        await fixture.Client.GetResponseAsync(messages, options);

        Assert.Equal(optionsBefore, JsonSerializer.Serialize(options, AIJsonUtilities.DefaultOptions));
        Assert.Equal(messagesBefore, JsonSerializer.Serialize(messages, AIJsonUtilities.DefaultOptions));
        Assert.Same(tool, Assert.Single(options.Tools));
    }

    [Theory]
    [InlineData("Temperature")]
    [InlineData("TopP")]
    [InlineData("TopK")]
    [InlineData("MaxOutputTokens")]
    public void GetStreamingResponseAsync_OutOfRangeOption_NamesIt(string field)
    {
        var options = field switch
        {
            "Temperature" => new ChatOptions { Temperature = -1 },
            "TopP" => new ChatOptions { TopP = 1.5f },
            "TopK" => new ChatOptions { TopK = -3 },
            _ => new ChatOptions { MaxOutputTokens = 0 },
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Client.GetStreamingResponseAsync(Conversation(), options));

        Assert.Contains($"ChatOptions.{field}", e.Message);
    }

    [Fact]
    public void GetStreamingResponseAsync_NoMessages_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => fixture.Client.GetStreamingResponseAsync([]));

        Assert.Equal("messages", e.ParamName);
    }

    [Fact]
    public void GetService_Metadata_NamesTheCheckpoint()
    {
        var metadata = fixture.Client.GetService<ChatClientMetadata>();

        Assert.Equal(Path.GetFileName(fixture.Directory), metadata?.DefaultModelId);
        Assert.Same(fixture.Model, fixture.Client.GetService<QwenModel>());
        Assert.Same(fixture.Client, fixture.Client.GetService<IChatClient>());
    }
}

using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.Assistant;

public sealed class AssistantTests
{
    private const string Needle = "The secret launch code of the harbour is PELICAN-7.";

    /// <summary>A model that writes keywords when asked for them and otherwise answers from the knowledge in its system message.</summary>
    private static ScriptedChatClient Model() => new(request =>
        request.LastUserText.Contains("Keywords:", StringComparison.Ordinal)
            ? ScriptedReply.Text("{\"keywords_zh\": [\"代码\"], \"keywords_en\": [\"launch\", \"code\"]}")
            : ScriptedReply.Text(request.SystemText.Contains("PELICAN-7", StringComparison.Ordinal) ? "The code is PELICAN-7." : "I do not know."));

    [Fact]
    public async Task RunAsync_FileAtConstruction_AddsQwenAgentsKnowledgeSectionToTheSystemMessage()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(400, (250, Needle)), "harbour.txt");
        var model = Model();
        using var assistant = new Qwen.Agents.Assistant(model, new AssistantOptions { Instructions = "You are Qwen.", Documents = { Files = [file] }, MaxReferenceTokens = 2_000 });

        var response = await assistant.RunAsync("What is the launch code?");

        Assert.Equal("The code is PELICAN-7.", response.Text);
        var answerCall = model.Requests[^1];
        var system = answerCall.SystemText;
        Assert.StartsWith("You are Qwen.\n\n# Knowledge Base\n\n## The content from [文件](harbour.txt):\n\n```\n[page: 1]", system, StringComparison.Ordinal);
        Assert.True(DocumentTestKit.Qwen.CountTokens(system) < 2_300, "the knowledge stays within MaxReferenceTokens");
        Assert.Equal(2, model.Requests.Count);
        var knowledge = response.GetKnowledge()!;
        Assert.Contains(knowledge.Chunks, c => c.Chunk.Text.Contains(Needle, StringComparison.Ordinal));
        Assert.Equal(["code", "launch", "代码"], knowledge.Query!.Keywords.Select(w => w.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ChineseQuestion_UsesTheChineseKnowledgeHeadings()
    {
        var file = DocumentTestKit.WriteFile("港口的发射代码是 PELICAN-7。", "港口.txt");
        var model = Model();
        using var assistant = new Qwen.Agents.Assistant(model, new AssistantOptions { Documents = { Files = [file] }, KeywordStrategy = KeywordStrategy.None });

        await assistant.RunAsync("发射代码是什么？");

        Assert.StartsWith("# 知识库\n\n## 来自 [文件](港口.txt) 的内容：\n\n```\n", model.Requests[^1].SystemText, StringComparison.Ordinal);
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task RunAsync_FilesAttachedToMessages_ReadsUriDataAndTextLinkFiles()
    {
        var byUri = DocumentTestKit.WriteFile("Alpha report: the alpha value is 11.", "alpha.txt");
        var byLink = DocumentTestKit.WriteFile("Gamma report: the gamma value is 33.", "gamma.txt");
        var model = Model();
        using var assistant = new Qwen.Agents.Assistant(model, new AssistantOptions { KeywordStrategy = KeywordStrategy.None });
        var message = new ChatMessage(ChatRole.User,
        [
            new TextContent($"Compare the values in these reports. [file]({byLink})"),
            new UriContent(new Uri(byUri), "text/plain"),
            new DataContent("Beta report: the beta value is 22."u8.ToArray(), "text/plain") { Name = "beta.txt" },
            new DataContent(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, "image/png") { Name = "chart.png" },
        ]);

        var response = await assistant.RunAsync(message);

        var system = model.Requests[^1].SystemText;
        Assert.Contains("## The content from [文件](alpha.txt):", system, StringComparison.Ordinal);
        Assert.Contains("## The content from [文件](beta.txt):", system, StringComparison.Ordinal);
        Assert.Contains("## The content from [文件](gamma.txt):", system, StringComparison.Ordinal);
        Assert.DoesNotContain("chart.png", system, StringComparison.Ordinal);
        Assert.Equal(3, response.GetKnowledge()!.Chunks.Select(c => c.Chunk.Source).Distinct().Count());
    }

    [Fact]
    public async Task RunAsync_SecondQuestionOnTheSameFiles_ReadsNothingAgain()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(200, (120, Needle)));
        var model = Model();
        using var assistant = new Qwen.Agents.Assistant(model, new AssistantOptions { Documents = { Files = [file] } });
        var session = await assistant.CreateSessionAsync();

        await assistant.RunAsync("What is the launch code?", session);
        await assistant.RunAsync("And the code again?", session);

        Assert.Equal(1, assistant.Library.IndexOpens);
        Assert.Contains("PELICAN-7", model.Requests[^1].SystemText, StringComparison.Ordinal);

        File.AppendAllText(file, "\n\nA new paragraph about the northern lighthouse.");
        await assistant.RunAsync("What about the lighthouse?");
        Assert.Equal(2, assistant.Library.IndexOpens);
    }

    [Fact]
    public async Task RunAsync_ModelContextKnown_CapsTheKnowledgeToWhatTheContextLeaves()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(600, (10, Needle)));
        var model = Model();
        using var assistant = new Qwen.Agents.Assistant(model, new AssistantOptions
        {
            Documents = { Files = [file], Tokenizer = DocumentTestKit.Qwen },
            ModelContextTokens = 4_096,
            KeywordStrategy = KeywordStrategy.None,
            ChatOptions = new ChatOptions { MaxOutputTokens = 1_024 },
        });

        await assistant.RunAsync("What about the harbour?");

        var tokens = DocumentTestKit.PromptTokens(model.Requests[^1]);
        Assert.InRange(tokens, 2_000, 4_096 - 1_024);
    }

    [Fact]
    public async Task RunAsync_CustomStrategy_GetsTheConversationIndexBudgetAndLanguage()
    {
        var file = DocumentTestKit.WriteFile("One line about apples.");
        var strategy = new RecordingStrategy();
        using var assistant = new Qwen.Agents.Assistant(new ScriptedChatClient(_ => ScriptedReply.Text("ok")),
            new AssistantOptions { Documents = { Files = [file] }, RetrievalStrategy = strategy, MaxReferenceTokens = 1_000 });

        await assistant.RunAsync("苹果？");

        var context = Assert.Single(strategy.Contexts);
        Assert.Equal("苹果？", context.Question);
        Assert.Equal(AgentLanguage.Chinese, context.Language);
        Assert.InRange(context.TokenBudget, 800, 1_000);
        Assert.Single(context.Index.Chunks);
    }

    [Fact]
    public async Task RunAsync_ChunkReadingStrategy_ReadsEveryChunkAndShowsTheQuotes()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(120, (60, Needle)), "harbour.txt");
        var model = new ScriptedChatClient(request => request.LastUserText.StartsWith("# Document:", StringComparison.Ordinal)
            ? ScriptedReply.Text(request.LastUserText.Contains(Needle, StringComparison.Ordinal) ? "{\"res\": \"ans\", \"content\": \"PELICAN-7\"}" : "{\"res\": \"none\", \"content\": \"<None>\"}")
            : ScriptedReply.Text(request.SystemText.Contains("- [文件](harbour.txt) [page: 1]: PELICAN-7", StringComparison.Ordinal) ? "PELICAN-7" : "?"));
        using var assistant = new Qwen.Agents.Assistant(model, new AssistantOptions
        {
            Documents = { Files = [file] },
            RetrievalStrategy = new ChunkReadingStrategy(new ChunkReadingOptions { MaxConcurrency = 2 }),
        });

        var response = await assistant.RunAsync("What is the launch code?");

        Assert.Equal("PELICAN-7", response.Text);
        Assert.Equal(1, assistant.Library.IndexOpens);
        Assert.True(model.Requests.Count > 5, "one call per chunk, then the answer");
        Assert.Equal("PELICAN-7", Assert.Single(response.GetKnowledge()!.Evidence).Text);
    }

    [Fact]
    public async Task RunAsync_NoFiles_MakesNoRetrievalCall()
    {
        var model = Model();
        using var assistant = new Qwen.Agents.Assistant(model);

        var response = await assistant.RunAsync("Hello");

        Assert.Single(model.Requests);
        Assert.Null(response.GetKnowledge());
    }

    [Fact]
    public async Task RunAsync_MissingFile_ThrowsNamingTheFile()
    {
        using var assistant = new Qwen.Agents.Assistant(Model(), new AssistantOptions { Documents = { Files = ["/no/such/file.pdf"] } });

        var error = await Assert.ThrowsAsync<Qwen.Tools.DocumentParseException>(() => assistant.RunAsync("hi"));

        Assert.Contains("/no/such/file.pdf", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, null)]
    [InlineData(20_000, 100)]
    public void Constructor_OutOfRangeOptions_Throw(int maxReference, int? context) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Qwen.Agents.Assistant(Model(), new AssistantOptions { MaxReferenceTokens = maxReference, ModelContextTokens = context }));

    private sealed class RecordingStrategy : IRetrievalStrategy
    {
        public List<RetrievalContext> Contexts { get; } = [];

        public Task<RetrievedKnowledge> RetrieveAsync(RetrievalContext context, CancellationToken cancellationToken = default)
        {
            Contexts.Add(context);
            return Task.FromResult(new RetrievedKnowledge([.. context.Index.Chunks.Select(c => new Qwen.Tools.RetrievedChunk(c, 1))]));
        }
    }
}

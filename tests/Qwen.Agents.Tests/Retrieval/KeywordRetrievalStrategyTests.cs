using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;
using Qwen.Core;
using Qwen.Tools;

namespace Qwen.Agents.Tests.Retrieval;

public sealed class KeywordRetrievalStrategyTests
{
    private static ChunkIndex Index() => ChunkIndex.Create(
    [
        new DocumentChunk("a.txt", 0, 1, 1, "[page: 1]\nThe harbour was quiet and the boats were painted blue.", 20),
        new DocumentChunk("a.txt", 1, 2, 2, "[page: 2]\nQuarterly revenue grew to 42 million dollars, driven by exports.", 20),
        new DocumentChunk("a.txt", 2, 3, 3, "[page: 3]\nThe authors thank the reviewers for the formula appendix.", 20),
    ]);

    private static RetrievalContext Context(ChunkIndex index, IChatClient model, string question, AgentLanguage language = AgentLanguage.English) =>
        new([new ChatMessage(ChatRole.User, question)], index, 25, language, model, ApproximateTokenizer.Instance);

    [Fact]
    public async Task RetrieveAsync_GenKeyword_SearchesWithTheModelsKeywordsWithThinkingOff()
    {
        using var index = Index();
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("```json\n{\"keywords_zh\": [\"收入\"], \"keywords_en\": [\"revenue\", \"exports\",]}\n```"));

        var knowledge = await new KeywordRetrievalStrategy(KeywordStrategy.GenKeyword).RetrieveAsync(Context(index, model, "How did sales do?"));

        var request = Assert.Single(model.Requests);
        Assert.Contains("Question: How did sales do?\nKeywords:", request.LastUserText, StringComparison.Ordinal);
        Assert.Equal(false, request.Options!.AdditionalProperties!["enable_thinking"]);
        Assert.Equal(ReasoningEffort.None, request.Options.Reasoning!.Effort);
        Assert.Equal(["Observation:"], request.Options.StopSequences!);
        Assert.Equal(["收入", "revenue", "exports"], knowledge.Query!.Keywords.Select(k => k.Text));
        Assert.Equal(1, Assert.Single(knowledge.Chunks).Chunk.Index);
    }

    [Fact]
    public async Task RetrieveAsync_ModelEchoesTheExamples_FallsBackToTheQuestion()
    {
        using var index = Index();
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("{\"keywords_zh\": [\"作者\"], \"keywords_en\": [\"author\"]}"));

        var knowledge = await new KeywordRetrievalStrategy().RetrieveAsync(Context(index, model, "What was the quarterly revenue?"));

        Assert.Empty(knowledge.Query!.Keywords);
        Assert.Equal("What was the quarterly revenue?", knowledge.Query.Text);
        Assert.Equal(1, Assert.Single(knowledge.Chunks).Chunk.Index);
    }

    [Fact]
    public async Task RetrieveAsync_ExampleWordThatIsInTheQuestion_IsNotAnEcho()
    {
        using var index = Index();
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("{\"keywords_en\": [\"author\"]}"));

        var knowledge = await new KeywordRetrievalStrategy().RetrieveAsync(Context(index, model, "Who is the author?"));

        Assert.Equal("author", Assert.Single(knowledge.Query!.Keywords).Text);
    }

    [Theory]
    [InlineData("keywords: revenue, exports")]
    [InlineData("{\"keywords_en\": []}")]
    [InlineData("")]
    public async Task RetrieveAsync_UnreadableReply_FallsBackToTheQuestion(string reply)
    {
        using var index = Index();
        var model = new ScriptedChatClient(_ => ScriptedReply.Text(reply));

        var knowledge = await new KeywordRetrievalStrategy().RetrieveAsync(Context(index, model, "quarterly revenue"));

        Assert.Empty(knowledge.Query!.Keywords);
        Assert.Equal("quarterly revenue", knowledge.Query.Text);
    }

    [Fact]
    public async Task RetrieveAsync_ModelFails_FallsBackToTheQuestion()
    {
        using var index = Index();
        var model = new ScriptedChatClient(_ => ScriptedReply.Throw(new HttpRequestException("down")));

        var knowledge = await new KeywordRetrievalStrategy().RetrieveAsync(Context(index, model, "quarterly revenue"));

        Assert.Equal(1, Assert.Single(knowledge.Chunks).Chunk.Index);
    }

    [Fact]
    public async Task RetrieveAsync_SplitQueryThenGenKeyword_SplitsThenAsksKeywordsForTheInformation()
    {
        using var index = Index();
        var model = new ScriptedChatClient(request => request.LastUserText.Contains("\"information\"", StringComparison.Ordinal)
            ? ScriptedReply.Text("{\"information\": [\"the quarterly revenue")
            : ScriptedReply.Text("{\"keywords_zh\": [\"收入\"], \"keywords_en\": [\"revenue\"]}"));

        var knowledge = await new KeywordRetrievalStrategy(KeywordStrategy.SplitQueryThenGenKeyword)
            .RetrieveAsync(Context(index, model, "Summarize in detail the quarterly revenue"));

        Assert.Equal(2, model.Requests.Count);
        Assert.Equal(["\"], \"instruction\":"], model.Requests[0].Options!.StopSequences!);
        Assert.Contains("Question: the quarterly revenue\nKeywords:", model.Requests[1].LastUserText, StringComparison.Ordinal);
        Assert.Equal("the quarterly revenue", knowledge.Query!.Text);
        Assert.Equal(1, Assert.Single(knowledge.Chunks).Chunk.Index);
    }

    [Fact]
    public async Task RetrieveAsync_ChineseQuestion_UsesTheChinesePrompt()
    {
        using var index = Index();
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("{\"keywords_zh\": [\"收入\"], \"keywords_en\": [\"revenue\"]}"));

        await new KeywordRetrievalStrategy().RetrieveAsync(Context(index, model, "季度收入是多少？", AgentLanguage.Chinese));

        Assert.StartsWith("请提取问题中的关键词", model.Requests[0].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetrieveAsync_None_MakesNoModelCall()
    {
        using var index = Index();
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("unused"));

        var knowledge = await new KeywordRetrievalStrategy(KeywordStrategy.None).RetrieveAsync(Context(index, model, "revenue"));

        Assert.Empty(model.Requests);
        Assert.Single(knowledge.Chunks);
    }

    [Fact]
    public void Constructor_UndefinedStrategy_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeywordRetrievalStrategy((KeywordStrategy)42));
}

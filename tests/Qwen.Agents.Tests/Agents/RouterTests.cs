using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.Agents;

public sealed class RouterTests
{
    private static FnCallAgent Helper(string name, string description, out ScriptedChatClient model)
    {
        model = new ScriptedChatClient(request => ScriptedReply.Text($"{name} answers: {request.LastUserText}"));
        return new FnCallAgent(model, new FnCallAgentOptions { Name = name, Description = description });
    }

    [Fact]
    public async Task RunStreamingAsync_ModelCallsAnAgent_StreamsThatAgentsAnswerAndHidesTheCallLine()
    {
        var painter = Helper("painter", "Draws pictures.", out var painterModel);
        var coder = Helper("coder", "Writes code.", out var coderModel);
        var routerModel = new ScriptedChatClient(_ => ScriptedReply.Text("Call: painter\nReply:"));
        var router = new Router(routerModel, [painter, coder], new QwenAgentOptions { Instructions = "Be kind." });

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in router.RunStreamingAsync("Draw a cat."))
        {
            updates.Add(update);
        }

        Assert.DoesNotContain(updates, u => u.Text.Contains("Call:", StringComparison.Ordinal));
        var response = updates.ToAgentResponse();
        Assert.Equal("painter answers: Draw a cat.", response.Text);
        Assert.Equal("painter", response.Messages[^1].AuthorName);
        Assert.Empty(coderModel.Requests);
        var system = routerModel.Requests[0].SystemText;
        Assert.StartsWith("You have the following helpers:\npainter: Draws pictures.\ncoder: Writes code.", system, StringComparison.Ordinal);
        Assert.Contains("[painter, coder]", system, StringComparison.Ordinal);
        Assert.EndsWith("\n\nBe kind.", system, StringComparison.Ordinal);
        Assert.Contains("Reply:", routerModel.Requests[0].Options!.StopSequences!);
        Assert.DoesNotContain(painterModel.Requests[0].Messages, m => m.Role == ChatRole.System);
    }

    [Fact]
    public async Task RunAsync_ModelAnswersDirectly_StreamsItsText()
    {
        var router = new Router(new ScriptedChatClient(_ => ScriptedReply.Text("Calling is not needed: hi!")), [Helper("painter", "Draws.", out var painterModel)]);

        var response = await router.RunAsync("hello");

        Assert.Equal("Calling is not needed: hi!", response.Text);
        Assert.Empty(painterModel.Requests);
    }

    [Fact]
    public async Task RunAsync_UnknownAgentName_FirstAgentAnswers()
    {
        var router = new Router(new ScriptedChatClient(_ => ScriptedReply.Text("Call: sculptor\nReply: something")),
            [Helper("painter", "Draws.", out _), Helper("coder", "Codes.", out _)]);

        var response = await router.RunAsync("Make a statue.");

        Assert.Equal("painter answers: Make a statue.", response.Text);
    }

    [Fact]
    public async Task RunAsync_SecondTurn_EarlierSubAgentAnswerShownAsCallReply()
    {
        var routerModel = new ScriptedChatClient(request => request.LastUserText == "thanks" ? ScriptedReply.Text("You're welcome.") : ScriptedReply.Text("Call: coder"));
        var router = new Router(routerModel, [Helper("coder", "Codes.", out _)]);
        var session = await router.CreateSessionAsync();
        await router.RunAsync("Write hello world.", session);

        var response = await router.RunAsync("thanks", session);

        Assert.Equal("You're welcome.", response.Text);
        var sent = routerModel.Requests[1].Messages;
        Assert.Equal("Call: coder\nReply:coder answers: Write hello world.", sent[2].Text);
    }

    [Fact]
    public async Task RunAsync_ChineseConversation_ChineseRoutingPrompt()
    {
        var routerModel = new ScriptedChatClient(_ => ScriptedReply.Text("你好"));
        var router = new Router(routerModel, [Helper("painter", "画画。", out _)]);

        await router.RunAsync("你好");

        Assert.StartsWith("你有下列帮手：\npainter: 画画。", routerModel.Requests[0].SystemText, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_AgentsWithoutNamesOrDuplicates_Throw()
    {
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("x"));
        Assert.Throws<ArgumentException>(() => new Router(model, []));
        Assert.Throws<ArgumentException>(() => new Router(model, [new FnCallAgent(model)]));
        Assert.Throws<ArgumentException>(() => new Router(model, [Helper("a", "x", out _), Helper("a", "y", out _)]));
    }
}

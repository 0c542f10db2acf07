using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.Agents;

public sealed class ReActChatTests
{
    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"Sunny, 21 C in {city}", "get_weather", "Current weather of a city.");

    [Fact]
    public async Task RunStreamingAsync_ActionThenFinalAnswer_StreamsThoughtCallResultAnswer()
    {
        var model = new ScriptedChatClient(request => request.LastUserText.Contains("Observation: Sunny", StringComparison.Ordinal)
            ? ScriptedReply.Text("I now know the final answer\nFinal Answer: It is sunny in Paris.")
            : ScriptedReply.Text("I should check the weather.\nAction: get_weather\nAction Input: {\"city\": \"Paris\"}\n"));
        var agent = new ReActChat(model, new FnCallAgentOptions { Tools = [Weather] });

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync("What's the weather in Paris?"))
        {
            updates.Add(update);
        }

        var contents = updates.SelectMany(u => u.Contents).ToList();
        Assert.IsType<TextReasoningContent>(contents[0]);
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.Equal(("get_weather", "Paris"), (call.Name, call.Arguments!["city"]!.ToString()));
        var result = Assert.Single(contents.OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.True(contents.IndexOf(call) < contents.IndexOf(result));
        var response = updates.ToAgentResponse();
        Assert.Equal("It is sunny in Paris.", response.Messages[^1].Text);
        Assert.Contains("I should check the weather.", string.Concat(contents.OfType<TextReasoningContent>().Select(r => r.Text)), StringComparison.Ordinal);

        var first = model.Requests[0];
        Assert.Null(first.Options!.Tools);
        Assert.Contains("Observation:", first.Options.StopSequences!);
        Assert.StartsWith("Answer the following questions as best you can.", first.LastUserText, StringComparison.Ordinal);
        Assert.EndsWith("Question: What's the weather in Paris?\nThought: ", first.LastUserText, StringComparison.Ordinal);
        Assert.EndsWith(
            "Question: What's the weather in Paris?\nThought: I should check the weather.\nAction: get_weather\nAction Input: {\"city\": \"Paris\"}\nObservation: Sunny, 21 C in Paris\nThought: ",
            model.Requests[1].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ServerIgnoresStopWord_StopsReadingAtObservation()
    {
        var model = new ScriptedChatClient(request => request.LastUserText.Contains("Observation: Sunny", StringComparison.Ordinal)
            ? ScriptedReply.Text("Final Answer: sunny")
            : ScriptedReply.Text("Check.\nAction: get_weather\nAction Input: {\"city\": \"Rome\"}\nObservation: Snowing, -40 C (invented)\nThought: I now know\nFinal Answer: snow"));
        var agent = new ReActChat(model, new FnCallAgentOptions { Tools = [Weather] });

        var response = await agent.RunAsync("Weather in Rome?");

        Assert.Equal("sunny", response.Messages[^1].Text);
        Assert.DoesNotContain("invented", model.Requests[1].LastUserText, StringComparison.Ordinal);
        Assert.Contains("Observation: Sunny, 21 C in Rome", model.Requests[1].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ActionInputInCodeFence_IsRead()
    {
        var model = new ScriptedChatClient(request => request.ToolResultsInPrompt()
            ? ScriptedReply.Text("Final Answer: done")
            : ScriptedReply.Text("Let me see.\nAction: get_weather\nAction Input: ```json\n{\"city\": \"Oslo\"}\n```\n"));
        var agent = new ReActChat(model, new FnCallAgentOptions { Tools = [Weather] });

        var response = await agent.RunAsync("Oslo?");

        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal("Oslo", call.Arguments!["city"]!.ToString());
    }

    [Fact]
    public async Task RunAsync_NoFinalAnswerLabel_ThoughtIsTheAnswer()
    {
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("Paris is the capital of France."));
        var agent = new ReActChat(model, new FnCallAgentOptions { Tools = [Weather] });

        var response = await agent.RunAsync("Capital of France?");

        Assert.Equal("Paris is the capital of France.", response.Messages[^1].Text);
    }

    [Fact]
    public async Task RunAsync_UnreadableAction_ModelIsToldAndRunGoesOn()
    {
        var model = new ScriptedChatClient(request => request.LastUserText.Contains("could not be read", StringComparison.Ordinal)
            ? ScriptedReply.Text("Final Answer: sorry")
            : ScriptedReply.Text("Hmm.\nAction: get_weather\n"));
        var agent = new ReActChat(model, new FnCallAgentOptions { Tools = [Weather] });

        var response = await agent.RunAsync("Weather?");

        Assert.Equal("sorry", response.Messages[^1].Text);
        Assert.Contains("[get_weather]", model.Requests[1].LastUserText, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Messages.SelectMany(m => m.Contents), c => c is FunctionCallContent);
    }

    [Fact]
    public async Task RunAsync_StepCap_EndsWithLimitMessageAndAnsweredCall()
    {
        var model = new ScriptedChatClient(request => ScriptedReply.Text($"Again.\nAction: get_weather\nAction Input: {{\"city\": \"C{request.Index}\"}}\n"));
        var agent = new ReActChat(model, new FnCallAgentOptions { Tools = [Weather], MaxModelCalls = 2 });
        var session = await agent.CreateSessionAsync();

        var response = await agent.RunAsync("loop", session);

        Assert.Equal(2, model.Requests.Count);
        Assert.Equal(AgentFinishReasons.ModelCallLimit, response.FinishReason);
        var history = ((QwenAgentSession)session).Messages;
        var calls = history.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        var results = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToList();
        Assert.Equal(calls, results);
    }

    [Fact]
    public async Task RunAsync_SecondTurn_EarlierTurnsAreSentAsPlainText()
    {
        var model = new ScriptedChatClient(request => request.LastUserText.Contains("Observation:", StringComparison.Ordinal) || request.LastUserText.Contains("thanks", StringComparison.Ordinal)
            ? ScriptedReply.Text("Final Answer: ok")
            : ScriptedReply.Text("Look.\nAction: get_weather\nAction Input: {\"city\": \"Paris\"}"));
        var agent = new ReActChat(model, new FnCallAgentOptions { Tools = [Weather] });
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("Weather?", session);

        await agent.RunAsync("thanks", session);

        var sent = model.Requests[^1].Messages;
        Assert.Equal(["user", "assistant", "user"], sent.Select(m => m.Role.Value));
        Assert.Equal("ok", sent[1].Text);
        Assert.All(sent, m => Assert.All(m.Contents, c => Assert.IsType<TextContent>(c)));
    }
}

internal static class ScriptedRequestExtensions
{
    public static bool ToolResultsInPrompt(this ScriptedRequest request) => request.LastUserText.Contains("\nObservation: Sunny", StringComparison.Ordinal);
}

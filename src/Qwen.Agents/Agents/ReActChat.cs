using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Qwen.Core;

namespace Qwen.Agents;

/// <summary>
/// An agent that calls tools through the ReAct text protocol (<c>Thought:</c> / <c>Action:</c> / <c>Action Input:</c> /
/// <c>Observation:</c> / <c>Final Answer:</c>), as Qwen-Agent's <c>ReActChat</c>: it needs no native tool calling, so any chat
/// model works. Thoughts stream as reasoning, each action as a <see cref="FunctionCallContent"/> and its observation as a
/// <see cref="FunctionResultContent"/>, the final answer as text.
/// </summary>
/// <remarks>
/// As in Qwen-Agent, the last user message becomes the ReAct prompt (tool descriptions, the format, the question), and each
/// step's thought, action and observation are appended to it, with <c>Observation:</c> as the stop word. Reading stops at
/// <c>Observation:</c> even when the server ignored the stop word; missing newlines and an <c>Action Input</c> in code fences
/// are tolerated; an action that cannot be read goes back to the model as an error observation. Earlier turns are sent as
/// plain text. <see cref="FnCallAgentOptions.MaxModelCalls"/> caps the steps; the tool limits are the same as
/// <see cref="FnCallAgent"/>'s (one action per step).
/// </remarks>
public class ReActChat : FnCallAgent
{
    private const string StopWord = "Observation:";

    /// <summary>Initializes a new instance of the <see cref="ReActChat"/> class.</summary>
    /// <param name="chatClient">The model; native tool support is not needed.</param>
    /// <param name="options">The tools and limits; <see cref="FnCallAgentOptions.MaxModelCalls"/> caps the steps.</param>
    /// <param name="loggerFactory">Creates the agent's logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit in <paramref name="options"/> is out of range.</exception>
    public ReActChat(IChatClient chatClient, FnCallAgentOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(chatClient, options, loggerFactory)
    {
    }

    /// <inheritdoc />
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunStepsAsync(AgentRun run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var tools = RunTools(run);
        var (messages, promptIndex) = AsText(run.Messages);
        if (promptIndex < 0)
        {
            throw new InvalidOperationException($"{nameof(ReActChat)} needs a user message with the question.");
        }

        var options = run.ChatOptions.Clone();
        options.Tools = null;
        options.ToolMode = null;
        if (tools.Count == 0)
        {
            // Nothing to act with: a plain answer, as the ReAct prompt needs at least one tool.
            foreach (var update in await AnswerPlainAsync(run, messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        options.StopSequences = [.. options.StopSequences ?? [], StopWord];
        var runner = CreateToolRunner(tools);
        var prompt = ReActFormat.RenderPrompt(tools.OfType<AIFunctionDeclaration>(), messages[promptIndex].Text);
        var scratchpad = new StringBuilder();
        for (var step = 1; ; step++)
        {
            messages[promptIndex] = new ChatMessage(ChatRole.User, prompt + scratchpad);
            var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.ReAct);
            var output = new StepOutput("msg_" + Guid.NewGuid().ToString("N"));
            await foreach (var update in StreamModelAsync(run, messages, options, cancellationToken).ConfigureAwait(false))
            {
                var contents = output.Read(update, parser);
                if (contents.Count > 0)
                {
                    yield return run.CreateUpdate(ChatRole.Assistant, contents, output.MessageId);
                }

                if (parser.IsStopped)
                {
                    break; // the server let the stop word through: what follows is the model inventing the tool's result
                }
            }

            var last = output.Complete(parser);
            if (last.Count > 0)
            {
                yield return run.CreateUpdate(ChatRole.Assistant, last, output.MessageId);
            }

            if (output.Call is null && output.ParseError is null)
            {
                // The final answer; an output with neither an action nor "Final Answer:" is all thought, and is the answer.
                var answer = output.Answer.Length > 0 ? output.Answer.ToString() : output.Thought.ToString().Trim();
                if (output.Answer.Length == 0 && answer.Length > 0)
                {
                    yield return run.CreateUpdate(ChatRole.Assistant, [new TextContent(answer)], output.MessageId);
                }

                run.AddOutput(output.ToMessage(new TextContent(answer)));
                yield break;
            }

            if (output.ParseError is { } error)
            {
                // Nothing was called, so no call goes into the history; the model reads why in its next observation.
                if (output.Thought.Length > 0)
                {
                    run.AddOutput(output.ToMessage(null));
                }

                scratchpad.Append(StepText(output.Raw)).Append("\nObservation: ").Append(AgentPrompts.UnreadableAction(error.Reason, tools.Select(t => t.Name))).Append("\nThought: ");
                if (step >= Options.MaxModelCalls)
                {
                    foreach (var update in EndAtLimit(run, [], string.Empty))
                    {
                        yield return update;
                    }

                    yield break;
                }

                continue;
            }

            var call = output.Call!;
            run.AddOutput(output.ToMessage(call));
            var toolMessageId = "msg_" + Guid.NewGuid().ToString("N");
            if (step >= Options.MaxModelCalls)
            {
                foreach (var update in EndAtLimit(run, [call], toolMessageId))
                {
                    yield return update;
                }

                yield break;
            }

            FunctionResultContent? result = null;
            await foreach (var (_, done) in runner.RunAsync([call], run.Language, cancellationToken).ConfigureAwait(false))
            {
                result = done;
                yield return run.CreateUpdate(ChatRole.Tool, [done], toolMessageId);
            }

            run.AddOutput(new ChatMessage(ChatRole.Tool, [result!]) { MessageId = toolMessageId });
            scratchpad.Append(StepText(output.Raw)).Append(ReActFormat.RenderObservation(result!));
        }
    }

    /// <summary>The model's step up to the stop word, without trailing blanks: the thought, the action and its input.</summary>
    private static string StepText(StringBuilder raw)
    {
        var text = raw.ToString();
        var stop = text.IndexOf(StopWord, StringComparison.Ordinal);
        return (stop >= 0 ? text[..stop] : text).TrimEnd();
    }

    /// <summary>The conversation as plain text messages (earlier tool rounds are not sent), and the index of the last user message.</summary>
    private static (List<ChatMessage> Messages, int PromptIndex) AsText(IEnumerable<ChatMessage> conversation)
    {
        List<ChatMessage> messages = [];
        foreach (var message in conversation)
        {
            var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
            if (message.Role != ChatRole.Tool && text.Length > 0)
            {
                messages.Add(new ChatMessage(message.Role, text) { AuthorName = message.AuthorName });
            }
        }

        return (messages, messages.FindLastIndex(m => m.Role == ChatRole.User));
    }

    private async Task<List<AgentResponseUpdate>> AnswerPlainAsync(AgentRun run, List<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var response = await CallModelAsync(run, messages, options, cancellationToken).ConfigureAwait(false);
        List<AgentResponseUpdate> updates = [];
        foreach (var message in response.Messages)
        {
            run.AddOutput(message);
            updates.Add(run.CreateUpdate(message.Role, [.. message.Contents], message.MessageId));
        }

        return updates;
    }

    /// <summary>What one ReAct step produced, read from the model's stream.</summary>
    private sealed class StepOutput(string messageId)
    {
        public string MessageId { get; } = messageId;

        public StringBuilder Raw { get; } = new();

        public StringBuilder Thought { get; } = new();

        public StringBuilder Answer { get; } = new();

        public FunctionCallContent? Call { get; private set; }

        public ToolCallParseErrorEvent? ParseError { get; private set; }

        public List<AIContent> Read(ChatResponseUpdate update, IFunctionCallParser parser)
        {
            List<AIContent> contents = [];
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case TextContent text when !parser.IsStopped:
                        Raw.Append(text.Text);
                        Map(parser.Append(text.Text), contents);
                        break;
                    case TextReasoningContent reasoning:
                        // A thinking model's own reasoning (Qwen3 <think>) is passed on as reasoning too.
                        Thought.Append(reasoning.Text);
                        contents.Add(reasoning);
                        break;
                }
            }

            return contents;
        }

        public List<AIContent> Complete(IFunctionCallParser parser)
        {
            List<AIContent> contents = [];
            Map(parser.Complete(), contents);
            return contents;
        }

        public ChatMessage ToMessage(AIContent? last)
        {
            List<AIContent> contents = [];
            if (Thought.Length > 0)
            {
                contents.Add(new TextReasoningContent(Thought.ToString()));
            }

            if (last is not null)
            {
                contents.Add(last);
            }

            return new ChatMessage(ChatRole.Assistant, contents) { MessageId = MessageId };
        }

        private void Map(IReadOnlyList<FunctionCallEvent> events, List<AIContent> contents)
        {
            foreach (var e in events)
            {
                switch (e)
                {
                    case ReasoningEvent reasoning:
                        Thought.Append(reasoning.Text);
                        contents.Add(new TextReasoningContent(reasoning.Text));
                        break;
                    case TextEvent text when Call is null && ParseError is null:
                        Answer.Append(text.Text);
                        contents.Add(new TextContent(text.Text));
                        break;
                    case ToolCallEvent call when Call is null && ParseError is null:
                        Call = call.Call;
                        contents.Add(call.Call);
                        break;
                    case ToolCallParseErrorEvent error when Call is null && ParseError is null:
                        ParseError = error;
                        break;
                }
            }
        }
    }
}

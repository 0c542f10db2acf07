using System.Runtime.CompilerServices;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// An agent driven by native function calling, as Qwen-Agent's <c>FnCallAgent</c>: it calls the model with its tools, runs
/// the calls the model makes (those of one response at the same time, up to a bound), appends the results with their call
/// ids in call order, and repeats until the model answers without calls or the model-call limit is reached.
/// </summary>
/// <remarks>
/// <para>Any <see cref="IChatClient"/> works: the embedded runtime's <c>QwenChatClient</c>, an OpenAI-compatible server, or a
/// model without native tool calls behind <c>PromptFunctionCallingChatClient</c>.</para>
/// <para>The loop is our own rather than <see cref="FunctionInvokingChatClient"/>'s because that client holds back every
/// streamed update after the first call until the model's response ends, strips the tools and makes one more model call
/// without saying so when it reaches its iteration limit, runs concurrent calls without a bound, and, when cancelled while
/// tools run, leaves calls without results in the history it built. The tool invocation itself (unknown tools, JSON and
/// schema errors, failures as error text) is <see cref="ToolRegistry"/>'s.</para>
/// </remarks>
public class FnCallAgent : QwenAgent
{
    private readonly FnCallAgentOptions _options;

    /// <summary>Initializes a new instance of the <see cref="FnCallAgent"/> class.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">The agent's tools and limits; <see langword="null"/> for no tools and the default limits.</param>
    /// <param name="loggerFactory">Creates the agent's logger (a model-call and a tool-call event each); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit in <paramref name="options"/> is out of range.</exception>
    /// <exception cref="ArgumentException">Two tools share a name, or a tool name is not 1 to 64 letters, digits, '_' or '-'.</exception>
    public FnCallAgent(IChatClient chatClient, FnCallAgentOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(chatClient, options ?? new FnCallAgentOptions(), loggerFactory, validated: false)
    {
    }

    private FnCallAgent(IChatClient chatClient, FnCallAgentOptions options, ILoggerFactory? loggerFactory, bool validated)
        : base(chatClient, options, loggerFactory)
    {
        if (!validated)
        {
            options.Validate();
        }

        _options = options;
        _ = CreateRegistry(options.Tools); // names are checked now rather than at the first run
    }

    /// <summary>Gets the agent's own tools (a run may add more through <c>ChatClientAgentRunOptions.ChatOptions.Tools</c>).</summary>
    public IReadOnlyList<AITool> Tools => [.. _options.Tools];

    /// <summary>Gets the limits of the tool loop.</summary>
    protected FnCallAgentOptions Options => _options;

    /// <inheritdoc />
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunStepsAsync(AgentRun run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var tools = RunTools(run);
        var runner = CreateToolRunner(tools);
        var toolMode = run.ChatOptions.ToolMode;
        for (var call = 1; ; call++)
        {
            var options = run.ChatOptions.Clone();
            options.Tools = tools.Count > 0 ? tools : null;
            options.ToolMode = tools.Count > 0 ? toolMode : null;

            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in StreamModelAsync(run, run.Messages, options, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                yield return run.FromChatUpdate(update);
            }

            var response = updates.ToChatResponse();
            foreach (var message in response.Messages)
            {
                run.AddOutput(message);
            }

            List<FunctionCallContent> calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Where(c => !c.InformationalOnly)];
            if (calls.Count == 0)
            {
                yield break;
            }

            var toolMessageId = "msg_" + Guid.NewGuid().ToString("N");
            if (call >= _options.MaxModelCalls)
            {
                foreach (var update in EndAtLimit(run, calls, toolMessageId))
                {
                    yield return update;
                }

                yield break;
            }

            var results = new FunctionResultContent[calls.Count];
            await foreach (var (index, result) in runner.RunAsync(calls, run.Language, cancellationToken).ConfigureAwait(false))
            {
                results[index] = result;
                yield return run.CreateUpdate(ChatRole.Tool, [result], toolMessageId);
            }

            run.AddOutput(new ChatMessage(ChatRole.Tool, [.. results]) { MessageId = toolMessageId });

            // A required tool choice holds for the first call only, as in FunctionInvokingChatClient; otherwise it never ends.
            if (toolMode is RequiredChatToolMode)
            {
                toolMode = ChatToolMode.Auto;
            }
        }
    }

    /// <summary>The agent's tools and the run's.</summary>
    internal List<AITool> RunTools(AgentRun run) => [.. _options.Tools, .. run.ChatOptions.Tools ?? []];

    /// <summary>A runner for one run's tool calls (its repeated-call guard spans the run).</summary>
    internal ToolRunner CreateToolRunner(IEnumerable<AITool> tools) => new(CreateRegistry(tools), _options, Logger, Name ?? GetType().Name);

    /// <summary>Ends a run at the model-call limit: the pending calls are answered as not run, then a final message says why the run stopped.</summary>
    internal IEnumerable<AgentResponseUpdate> EndAtLimit(AgentRun run, IReadOnlyList<FunctionCallContent> calls, string toolMessageId)
    {
        AgentLog.ModelCallLimit(Logger, Name ?? GetType().Name, _options.MaxModelCalls);
        if (calls.Count > 0)
        {
            List<AIContent> notRun = [.. calls.Select(c => new FunctionResultContent(c.CallId, AgentPrompts.CallNotRunAtLimit(run.Language, c.Name, _options.MaxModelCalls)))];
            run.AddOutput(new ChatMessage(ChatRole.Tool, notRun) { MessageId = toolMessageId });
            yield return run.CreateUpdate(ChatRole.Tool, notRun, toolMessageId);
        }

        var finalId = "msg_" + Guid.NewGuid().ToString("N");
        var text = AgentPrompts.ModelCallLimitReached(run.Language, _options.MaxModelCalls);
        run.AddOutput(new ChatMessage(ChatRole.Assistant, text) { MessageId = finalId });
        var final = run.CreateUpdate(ChatRole.Assistant, [new TextContent(text)], finalId);
        final.FinishReason = AgentFinishReasons.ModelCallLimit;
        yield return final;
    }

    private static ToolRegistry CreateRegistry(IEnumerable<AITool> tools) => new(tools.OfType<AIFunction>());
}

using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen.Core;

namespace Qwen.Agents;

/// <summary>
/// Function calling through the prompt, for models or servers without native tool calls (or when asked for): describes the
/// tools in the system message in a text format (Hermes <c>&lt;tool_call&gt;</c> JSON, Qwen-Agent's <c>✿FUNCTION✿</c>, or
/// Qwen3-Coder's XML), writes earlier calls and results in the same format, and parses the reply into
/// <see cref="FunctionCallContent"/> and <see cref="TextReasoningContent"/> with Qwen.Core's streaming parsers.
/// </summary>
/// <remarks>
/// <para>The inner client gets no <see cref="ChatOptions.Tools"/>, only text messages, and the format's stop sequences.
/// While streaming, text that may be the start of a call is held back until it is known; a call is reported once complete.</para>
/// <para>Call ids are fresh and unique per call. A call the model wrote but that cannot be parsed is passed on as its text
/// (a <see cref="TextContent"/> whose <see cref="AIContent.RawRepresentation"/> is the <see cref="ToolCallParseErrorEvent"/>)
/// and logged as a warning. <see cref="ChatToolMode.RequireAny"/> and named modes become an instruction in the system message,
/// which a model may still ignore.</para>
/// </remarks>
public sealed class PromptFunctionCallingChatClient : DelegatingChatClient
{
    private readonly FunctionCallFormat _format;
    private readonly string? _language;
    private readonly bool _parallel;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="PromptFunctionCallingChatClient"/> class.</summary>
    /// <param name="innerClient">The model client; it receives only text.</param>
    /// <param name="options">The format and its language; <see langword="null"/> for Hermes.</param>
    /// <param name="loggerFactory">Where malformed calls are logged; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="PromptFunctionCallingOptions.Format"/> is ReAct or undefined, or <see cref="PromptFunctionCallingOptions.Language"/> is neither <c>"en"</c> nor <c>"zh"</c>.</exception>
    public PromptFunctionCallingChatClient(IChatClient innerClient, PromptFunctionCallingOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(innerClient)
    {
        options ??= new PromptFunctionCallingOptions();
        if (options.Format is not (FunctionCallFormat.Hermes or FunctionCallFormat.Qwen or FunctionCallFormat.Xml))
        {
            throw new ArgumentException($"PromptFunctionCallingOptions.Format must be Hermes, Qwen or Xml but is {options.Format}; ReAct is the ReAct agent's protocol.", nameof(options));
        }

        if (options.Language is not (null or "en" or "zh"))
        {
            throw new ArgumentException($"PromptFunctionCallingOptions.Language must be \"en\", \"zh\" or null (detect) but is \"{options.Language}\".", nameof(options));
        }

        _format = options.Format;
        _language = options.Language;
        _parallel = options.ParallelCalls;
        _logger = loggerFactory?.CreateLogger<PromptFunctionCallingChatClient>() ?? NullLogger<PromptFunctionCallingChatClient>.Instance;
    }

    /// <summary>Gets the format the tools and calls are written in.</summary>
    public FunctionCallFormat Format => _format;

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException"><see cref="ChatOptions.Tools"/> holds a tool that is not a function.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = Prepare(messages, options);
        var response = await base.GetResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false);
        var reply = new ReplyState(this, request.Tools, request.AllowMultipleCalls);
        foreach (var message in response.Messages)
        {
            if (message.Role != ChatRole.Assistant)
            {
                continue;
            }

            var contents = new List<AIContent>();
            foreach (var content in message.Contents)
            {
                reply.Convert(content, contents);
            }

            reply.Complete(contents);
            message.Contents = contents;
            reply = new ReplyState(this, request.Tools, request.AllowMultipleCalls) { CallsSoFar = reply.CallsSoFar };
        }

        if (reply.CallsSoFar > 0)
        {
            response.FinishReason = ChatFinishReason.ToolCalls;
        }

        return response;
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException"><see cref="ChatOptions.Tools"/> holds a tool that is not a function.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = Prepare(messages, options);
        return StreamAsync(request, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(PreparedRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reply = new ReplyState(this, request.Tools, request.AllowMultipleCalls);
        ChatResponseUpdate? last = null;
        ChatFinishReason? finish = null;
        await foreach (var update in base.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false))
        {
            last = update;
            finish = update.FinishReason ?? finish;
            var contents = new List<AIContent>(update.Contents.Count);
            foreach (var content in update.Contents)
            {
                reply.Convert(content, contents);
            }

            if (contents.Count == 0 && update.Contents.Count > 0)
            {
                continue; // everything new is held back
            }

            var converted = update.Clone();
            converted.Contents = contents;
            converted.FinishReason = null; // reported once, at the end, when the calls are known
            if (contents.Count > 0 || update.FinishReason is null)
            {
                yield return converted;
            }
        }

        var rest = new List<AIContent>();
        reply.Complete(rest);
        if (rest.Count > 0 || finish is not null)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, rest)
            {
                MessageId = last?.MessageId,
                ResponseId = last?.ResponseId,
                ConversationId = last?.ConversationId,
                ModelId = last?.ModelId,
                FinishReason = reply.CallsSoFar > 0 ? ChatFinishReason.ToolCalls : finish,
            };
        }
    }

    private PreparedRequest Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var tools = new List<AIFunctionDeclaration>();
        foreach (var tool in options?.Tools ?? [])
        {
            tools.Add(tool as AIFunctionDeclaration ?? throw new NotSupportedException(
                $"ChatOptions.Tools contains '{tool?.Name}' ({tool?.GetType().Name ?? "null"}); prompt-based function calling describes function tools (AIFunctionDeclaration) only."));
        }

        var offered = options?.ToolMode is NoneChatToolMode ? [] : tools;
        var parallel = options?.AllowMultipleToolCalls ?? _parallel;
        string? toolsText = null;
        if (offered.Count > 0)
        {
            var chinese = (_language ?? DetectLanguage(list)) == "zh";
            toolsText = _format switch
            {
                FunctionCallFormat.Qwen => QwenFnCallFormat.RenderSystemText(offered, chinese ? "zh" : "en", parallel),
                FunctionCallFormat.Xml => XmlFunctionCallFormat.RenderToolsSystemText(offered),
                _ => HermesFormat.RenderToolsSystemText(offered),
            } + RequiredInstruction(options?.ToolMode, chinese);
        }

        var inner = options?.Clone() ?? new ChatOptions();
        inner.Tools = null;
        inner.ToolMode = null;
        inner.AllowMultipleToolCalls = null;
        var stops = FunctionCallFormats.GetStopSequences(_format);
        if (stops.Count > 0)
        {
            inner.StopSequences = [.. (inner.StopSequences ?? []).Union(stops)];
        }

        return new PreparedRequest(
            PromptHistoryRenderer.Render(list, _format, toolsText), inner, offered, options?.AllowMultipleToolCalls != false);
    }

    private static string RequiredInstruction(ChatToolMode? mode, bool chinese) => mode switch
    {
        RequiredChatToolMode { RequiredFunctionName: { } name } => chinese ? $"\n\n你必须调用工具 {name}。" : $"\n\nYou must call the function {name} in this reply.",
        RequiredChatToolMode => chinese ? "\n\n你必须至少调用一个工具。" : "\n\nYou must call at least one of the functions in this reply.",
        _ => string.Empty,
    };

    /// <summary>Chinese when the system or user messages hold CJK ideographs, as Qwen-Agent's <c>has_chinese_messages</c> decides.</summary>
    private static string DetectLanguage(IEnumerable<ChatMessage> messages) =>
        messages.Where(m => m.Role == ChatRole.System || m.Role == ChatRole.User)
            .Any(m => m.Text.Any(c => c is >= '\u4e00' and <= '\u9fff')) ? "zh" : "en";

    private sealed record PreparedRequest(List<ChatMessage> Messages, ChatOptions Options, List<AIFunctionDeclaration> Tools, bool AllowMultipleCalls);

    /// <summary>Parses one assistant message's text as it arrives.</summary>
    private sealed class ReplyState(PromptFunctionCallingChatClient owner, List<AIFunctionDeclaration> tools, bool allowMultipleCalls)
    {
        private readonly IFunctionCallParser _parser = FunctionCallFormats.CreateParser(owner._format, new FunctionCallParserOptions { Tools = tools });

        public int CallsSoFar { get; set; }

        public void Convert(AIContent content, List<AIContent> output)
        {
            if (content is TextContent text)
            {
                AddEvents(_parser.Append(text.Text), output);
            }
            else
            {
                output.Add(content);
            }
        }

        public void Complete(List<AIContent> output) => AddEvents(_parser.Complete(), output);

        private void AddEvents(IReadOnlyList<FunctionCallEvent> events, List<AIContent> output)
        {
            foreach (var e in events)
            {
                switch (e)
                {
                    case TextEvent text:
                        output.Add(new TextContent(text.Text));
                        break;
                    case ReasoningEvent reasoning:
                        output.Add(new TextReasoningContent(reasoning.Text));
                        break;
                    case ToolCallEvent call when CallsSoFar > 0 && !allowMultipleCalls:
                        AgentLog.ExtraCallDropped(owner._logger, call.Call.Name);
                        break;
                    case ToolCallEvent call:
                        CallsSoFar++;
                        output.Add(call.Call);
                        break;
                    case ToolCallParseErrorEvent error:
                        AgentLog.MalformedCall(owner._logger, owner._format, error.Reason, error.RawText);
                        output.Add(new TextContent(error.RawText) { RawRepresentation = error });
                        break;
                }
            }
        }
    }
}

using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using ChatCompletion = OpenAI.Chat.ChatCompletion;
using StreamingChatCompletionUpdate = OpenAI.Chat.StreamingChatCompletionUpdate;

// JsonPatch (the models' Patch) is experimental; Microsoft.Extensions.AI.OpenAI reads reasoning_content through it too.
#pragma warning disable SCME0001

namespace Qwen.Agents;

/// <summary>
/// Adds the reasoning text that OpenAI-compatible servers send in a <c>reasoning</c> field (Ollama, OpenRouter, newer vLLM)
/// as <see cref="TextReasoningContent"/>; Microsoft.Extensions.AI.OpenAI 10.11 already surfaces <c>reasoning_content</c>
/// (vLLM, SGLang, llama.cpp, DashScope, DeepSeek) the same way.
/// </summary>
/// <remarks>
/// Why this shape: the field is not part of the OpenAI schema, so the OpenAI library keeps it only in the model's JSON patch
/// (the raw data of fields it does not know). Reading it there, from the <see cref="ChatResponseUpdate.RawRepresentation"/>
/// the MEAI adapter keeps, uses the same public (experimental, SCME0001) API the adapter itself uses for
/// <c>reasoning_content</c>, so no JSON is parsed twice and no HTTP pipeline policy rewrites bodies. When a server sends both
/// fields with the same text (some vLLM versions), only <c>reasoning_content</c> is kept, so nothing is doubled.
/// </remarks>
internal sealed class OpenAIReasoningChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (response.RawRepresentation is ChatCompletion completion
            && TryGet(completion.Patch, "$.choices[0].message.reasoning"u8, out var reasoning)
            && response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant) is { } message
            && !message.Contents.Any(c => c is TextReasoningContent))
        {
            message.Contents.Insert(0, new TextReasoningContent(reasoning) { RawRepresentation = completion });
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.RawRepresentation is StreamingChatCompletionUpdate raw
                && TryGet(raw.Patch, "$.choices[0].delta.reasoning"u8, out var reasoning)
                && !update.Contents.Any(c => c is TextReasoningContent))
            {
                update.Contents.Insert(0, new TextReasoningContent(reasoning) { RawRepresentation = raw });
            }

            yield return update;
        }
    }

    private static bool TryGet(System.ClientModel.Primitives.JsonPatch patch, ReadOnlySpan<byte> path, out string text)
    {
        text = string.Empty;
        try
        {
            if (patch.TryGetValue(path, out string? value) && !string.IsNullOrEmpty(value))
            {
                text = value;
                return true;
            }
        }
        catch (FormatException)
        {
            // The field is there but not a string (a server's own object): not reasoning text we understand.
        }
        catch (InvalidOperationException)
        {
        }

        return false;
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Qwen.Agents;

/// <summary>
/// Makes an <see cref="IChatClient"/> for an OpenAI-compatible chat completions server (vLLM, SGLang, llama.cpp's server,
/// Ollama, DashScope compatible mode), through Microsoft.Extensions.AI.OpenAI, with the servers' reasoning text surfaced.
/// </summary>
public static class OpenAICompatibleChatClient
{
    /// <summary>The key sent when none is given: local servers ignore it, and the OpenAI library requires one.</summary>
    public const string PlaceholderApiKey = "no-key";

    /// <summary>Creates a client for the chat completions endpoint under <paramref name="baseUrl"/>.</summary>
    /// <param name="baseUrl">The API root, the part before <c>/chat/completions</c>: e.g. <c>http://localhost:8000/v1</c> (vLLM), <c>http://localhost:11434/v1</c> (Ollama), <c>https://dashscope.aliyuncs.com/compatible-mode/v1</c>.</param>
    /// <param name="model">The model name the server knows (<c>Qwen/Qwen3-8B</c>, <c>qwen3:8b</c>, <c>qwen-plus</c>).</param>
    /// <param name="apiKey">The API key, sent as a bearer token; <see langword="null"/> or empty sends <see cref="PlaceholderApiKey"/>.</param>
    /// <param name="networkTimeout">The time limit of one HTTP request; <see langword="null"/> for the OpenAI library's default (100 seconds).</param>
    /// <returns>The client. Reasoning that the server sends as <c>reasoning_content</c> or <c>reasoning</c> arrives as <see cref="TextReasoningContent"/>, streaming and not.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="baseUrl"/> or <paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="baseUrl"/> is not an absolute http or https URL, or <paramref name="model"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="networkTimeout"/> is not positive.</exception>
    /// <remarks>
    /// The OpenAI library's own retries are turned off (it retries 3 times by default): retries belong to the pipeline,
    /// where <c>UseRetries</c> makes them visible and configurable, and the default is none.
    /// </remarks>
    public static IChatClient Create(Uri baseUrl, string model, string? apiKey = null, TimeSpan? networkTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"baseUrl must be an absolute http or https URL such as http://localhost:8000/v1 but is '{baseUrl}'.", nameof(baseUrl));
        }

        if (networkTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(networkTimeout), timeout, "networkTimeout must be positive.");
        }

        var options = new OpenAIClientOptions
        {
            Endpoint = baseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (networkTimeout is not null)
        {
            options.NetworkTimeout = networkTimeout;
        }

        var credential = new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? PlaceholderApiKey : apiKey);
        var inner = new OpenAI.Chat.ChatClient(model, credential, options).AsIChatClient();
        return new OpenAIReasoningChatClient(inner);
    }
}

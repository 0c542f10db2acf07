using System.ClientModel;
using System.CommandLine;
using Microsoft.Extensions.AI;
using OpenAI;
using Qwen.Runtime;
using Spectre.Console;

namespace Qwen.Cli;

/// <summary><c>qwen chat</c>: talks to a local Qwen checkpoint (or an OpenAI-compatible server), once with a prompt or interactively.</summary>
internal static class ChatCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = CliModels.Describe("config.json, safetensors, tokenizer.json, tokenizer_config.json") + $" Default: {CliModels.DefaultModel}." };
        var endpoint = new Option<string?>("--endpoint") { Description = "Base URL of an OpenAI-compatible server (vLLM, SGLang, Ollama), e.g. http://localhost:8000/v1, instead of --model." };
        var apiModel = new Option<string?>("--api-model") { Description = "Model name on the server (with --endpoint)." };
        var apiKey = new Option<string?>("--api-key") { Description = "API key for the server (with --endpoint); default: the OPENAI_API_KEY environment variable." };
        var system = new Option<string?>("--system") { Description = "System message." };
        var noThinking = new Option<bool>("--no-thinking") { Description = "Turn Qwen3 thinking off (enable_thinking=false)." };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Most tokens per answer." };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature (0 = greedy); default: the checkpoint's generation_config.json." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var prompt = new Argument<string?>("prompt") { Description = "Answer this one prompt and exit; without it, chat line by line on stdin (an empty line or end of input ends).", Arity = ArgumentArity.ZeroOrOne };

        var command = new Command("chat", "Chat with a local Qwen checkpoint or an OpenAI-compatible server.");
        foreach (var option in new Option[] { model, endpoint, apiModel, apiKey, system, noThinking, maxTokens, temperature, device })
        {
            command.Options.Add(option);
        }

        command.Arguments.Add(prompt);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new ChatOptions { MaxOutputTokens = parseResult.GetValue(maxTokens), Temperature = parseResult.GetValue(temperature) };
            if (parseResult.GetValue(noThinking))
            {
                options.AdditionalProperties = new() { [QwenChatClient.EnableThinkingKey] = false };
            }

            using var client = CreateClient(await CliModels.ResolveForChatAsync(parseResult.GetValue(model), parseResult.GetValue(endpoint), cancellationToken).ConfigureAwait(false), parseResult.GetValue(endpoint), parseResult.GetValue(apiModel), parseResult.GetValue(apiKey), parseResult.GetValue(device)!);
            var history = new List<ChatMessage>();
            if (parseResult.GetValue(system) is { } systemText)
            {
                history.Add(new ChatMessage(ChatRole.System, systemText));
            }

            if (parseResult.GetValue(prompt) is { } once)
            {
                await AnswerAsync(client, history, once, options, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
            {
                await AnswerAsync(client, history, line, options, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The chat client `chat` and `serve` talk to: a local checkpoint (loaded with a progress bar on a terminal) or an OpenAI-compatible server.</summary>
    /// <exception cref="ArgumentException">The options do not name exactly one model source, or name it badly.</exception>
    internal static IChatClient CreateClient(string? modelDir, string? endpoint, string? apiModel, string? apiKey, string device)
    {
        switch (modelDir, endpoint)
        {
            case (null, null):
                throw new ArgumentException("Give a local checkpoint with --model DIR, or a server with --endpoint URL --api-model NAME.");
            case ({ }, { }):
                throw new ArgumentException("Give either --model or --endpoint, not both.");
            case (null, { } url):
                if (string.IsNullOrWhiteSpace(apiModel))
                {
                    throw new ArgumentException("--endpoint needs --api-model NAME (the model's name on the server).");
                }

                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new ArgumentException($"--endpoint '{url}' is not an http(s) URL such as http://localhost:8000/v1.");
                }

                // Local servers usually ignore the key, but the OpenAI client insists on one.
                var key = apiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY") ?? "unused";
                return new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = uri }).GetChatClient(apiModel).AsIChatClient();
            default:
                return LoadLocal(modelDir!, device);
        }
    }

    private static QwenChatClient LoadLocal(string modelDir, string device)
    {
        var modelOptions = new QwenModelOptions { Device = device };
        if (!Console.IsErrorRedirected)
        {
            // The bar goes to stderr so stdout carries only the answer.
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            QwenChatClient? client = null;
            console.Progress().AutoClear(true).Start(context =>
            {
                var task = context.AddTask($"Loading {Path.GetFileName(Path.TrimEndingDirectorySeparator(modelDir))}", maxValue: 1);
                client = QwenChatClient.Load(modelDir, modelOptions, progress: new InlineProgress(p => task.Value = p.TotalBytes == 0 ? 1 : (double)p.BytesLoaded / p.TotalBytes));
                task.Value = 1;
            });
            return client!;
        }

        return QwenChatClient.Load(modelDir, modelOptions);
    }

    private static async Task AnswerAsync(IChatClient client, List<ChatMessage> history, string text, ChatOptions options, CancellationToken cancellationToken)
    {
        history.Add(new ChatMessage(ChatRole.User, text));
        var updates = new List<ChatResponseUpdate>();
        var thinking = false;
        await foreach (var update in client.GetStreamingResponseAsync(history, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            foreach (var content in update.Contents)
            {
                // Reasoning goes to stderr: stdout is the answer alone.
                if (content is TextReasoningContent reasoning)
                {
                    thinking = true;
                    await Console.Error.WriteAsync(reasoning.Text).ConfigureAwait(false);
                }
                else if (content is TextContent { Text: var delta })
                {
                    if (thinking)
                    {
                        await Console.Error.WriteLineAsync().ConfigureAwait(false);
                        thinking = false;
                    }

                    await Console.Out.WriteAsync(delta).ConfigureAwait(false);
                    await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await Console.Out.WriteLineAsync().ConfigureAwait(false);
        history.AddMessages(updates);
    }

    /// <summary>Reports on the loading thread (Progress&lt;T&gt; would post to the thread pool, after the bar has closed).</summary>
    private sealed class InlineProgress(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}

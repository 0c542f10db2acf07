using System.CommandLine;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Runtime;
using Spectre.Console;

namespace Qwen.Cli;

/// <summary><c>qwen chat</c>: talks to a local Qwen checkpoint (or an OpenAI-compatible server), once with a prompt or interactively.</summary>
internal static class ChatCommand
{
    private static readonly string[] AgentKinds = ["assistant", "fncall", "react", "docqa"];
    private static readonly string[] FunctionFormats = ["native", "hermes", "qwen", "xml"];
    private static readonly string[] ToolChoices = ["auto", "required", "none"];

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
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16, float16, int8 or int4 (8-bit or 4-bit weights, CPU only) for a local model (default: bfloat16 on CUDA, float32 on CPU)." };
        var agent = new Option<string>("--agent") { Description = "The agent: assistant (tools and answers from --file documents), fncall (native function calling), react (Thought/Action text, any model) or docqa (long documents from --file at --level).", DefaultValueFactory = _ => "assistant" };
        agent.AcceptOnlyFromAmong(AgentKinds);
        var tools = new Option<string?>("--tools") { Description = "Built-in tools, comma-separated: code_interpreter, doc_parser, retrieval, storage, web_extractor." };
        var mcp = new Option<string?>("--mcp") { Description = "An mcpServers JSON file whose servers' tools the agent may call." };
        var files = new Option<string[]>("--file") { Description = "Documents the assistant answers from (paths or URLs; with --agent assistant).", AllowMultipleArgumentsPerToken = true };
        var functionFormat = new Option<string>("--function-format") { Description = "How tool calls are written: native (the model's or server's own), or in the prompt as hermes, qwen (✿FUNCTION✿) or xml (Qwen3-Coder).", DefaultValueFactory = _ => "native" };
        functionFormat.AcceptOnlyFromAmong(FunctionFormats);
        var toolChoice = new Option<string>("--tool-choice") { Description = "auto (the model decides), required (every model call must call a tool) or none.", DefaultValueFactory = _ => "auto" };
        toolChoice.AcceptOnlyFromAmong(ToolChoices);
        var maxSteps = new Option<int?>("--max-steps") { Description = "Most model calls per turn (default 20); reaching it ends the turn with a message saying so." };
        var level = new Option<int>("--level") { Description = "With --agent docqa: 1 keyword retrieval, 2 every chunk read, 3 multi-hop sub-questions.", DefaultValueFactory = _ => 2 };
        var responseFormat = new Option<string?>("--response-format") { Description = "json (any JSON value) or a JSON-schema file: the answer is constrained to it (the embedded runtime enforces it token by token)." };
        var promptOption = new Option<string?>("--prompt") { Description = "Answer this one prompt and exit (the same as the positional prompt)." };
        var json = new Option<bool>("--json") { Description = "Print each turn's response messages as one JSON line on stdout (role, text, reasoning, tool_calls with ids and arguments, tool_results with ids)." };
        var workDirectory = new Option<string?>("--workdir") { Description = "The directory tools are confined to and charts are saved under (default: the current directory)." };
        var prompt = new Argument<string?>("prompt") { Description = "Answer this one prompt and exit; without it, chat line by line on stdin (an empty line or end of input ends; /reset, /save FILE, /load FILE manage the session).", Arity = ArgumentArity.ZeroOrOne };

        var command = new Command("chat", "Chat with an agent over a local Qwen checkpoint or an OpenAI-compatible server.");
        foreach (var option in new Option[] { model, endpoint, apiModel, apiKey, system, noThinking, maxTokens, temperature, device, dtype, agent, tools, mcp, files, functionFormat, toolChoice, maxSteps, level, responseFormat, promptOption, json, workDirectory })
        {
            command.Options.Add(option);
        }

        command.Arguments.Add(prompt);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new ChatSettings(
                parseResult.GetValue(agent)!,
                parseResult.GetValue(system),
                parseResult.GetValue(files) ?? [],
                parseResult.GetValue(functionFormat)!,
                parseResult.GetValue(toolChoice)!,
                parseResult.GetValue(maxSteps),
                parseResult.GetValue(level));
            var once = (parseResult.GetValue(prompt), parseResult.GetValue(promptOption)) switch
            {
                ({ }, { }) => throw new ArgumentException("Give the prompt either as an argument or with --prompt, not both."),
                var (positional, named) => positional ?? named,
            };
            settings.Check();
            var chatOptions = new ChatOptions
            {
                MaxOutputTokens = parseResult.GetValue(maxTokens),
                Temperature = parseResult.GetValue(temperature),
                ResponseFormat = ChatSettings.ReadResponseFormat(parseResult.GetValue(responseFormat)),
            };
            if (parseResult.GetValue(noThinking))
            {
                chatOptions.AdditionalProperties = new() { [QwenChatClient.EnableThinkingKey] = false };
            }

            var root = Path.GetFullPath(parseResult.GetValue(workDirectory) ?? Environment.CurrentDirectory);
            using var client = CreateClient(await CliModels.ResolveForChatAsync(parseResult.GetValue(model), parseResult.GetValue(endpoint), cancellationToken).ConfigureAwait(false), parseResult.GetValue(endpoint), parseResult.GetValue(apiModel), parseResult.GetValue(apiKey), parseResult.GetValue(device)!, parseResult.GetValue(dtype));
            await using var toolSet = await ChatTools.CreateAsync(parseResult.GetValue(tools), parseResult.GetValue(mcp), root, cancellationToken).ConfigureAwait(false);
            var chatAgent = settings.CreateAgent(client, toolSet.Tools, chatOptions);
            try
            {
                var renderer = new ChatRenderer(parseResult.GetValue(json), Path.Combine(root, "charts"));
                var session = await chatAgent.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
                if (once is not null)
                {
                    await renderer.RenderAsync(chatAgent.RunStreamingAsync(once, session, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                    return 0;
                }

                while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
                {
                    if (line.StartsWith('/'))
                    {
                        session = await SessionCommandAsync(chatAgent, session, line, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    await renderer.RenderAsync(chatAgent.RunStreamingAsync(line, session, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
                }

                return 0;
            }
            finally
            {
                (chatAgent as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    /// <summary>Runs <c>/reset</c>, <c>/save FILE</c> or <c>/load FILE</c> and returns the session to go on with; a failure is
    /// reported on one line and the conversation goes on with the session it had.</summary>
    private static async Task<AgentSession> SessionCommandAsync(AIAgent agent, AgentSession session, string line, CancellationToken cancellationToken)
    {
        var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var argument = parts.Length > 1 ? parts[1] : null;
        try
        {
            switch (parts[0], argument)
            {
                case ("/reset", null):
                    await Console.Error.WriteLineAsync("[session reset]").ConfigureAwait(false);
                    return await agent.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
                case ("/save", { } file):
                    var state = await agent.SerializeSessionAsync(session, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await File.WriteAllTextAsync(file, state.GetRawText(), cancellationToken).ConfigureAwait(false);
                    await Console.Error.WriteLineAsync($"[session saved] {Path.GetFullPath(file)}").ConfigureAwait(false);
                    return session;
                case ("/load", { } file):
                    using (var document = JsonDocument.Parse(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)))
                    {
                        var loaded = await agent.DeserializeSessionAsync(document.RootElement.Clone(), cancellationToken: cancellationToken).ConfigureAwait(false);
                        await Console.Error.WriteLineAsync($"[session loaded] {Path.GetFullPath(file)}").ConfigureAwait(false);
                        return loaded;
                    }

                default:
                    await Console.Error.WriteLineAsync($"qwen: '{line}' is not a chat command; use /reset, /save FILE or /load FILE.").ConfigureAwait(false);
                    return session;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or ArgumentException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"qwen: {parts[0]} failed: {e.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return session;
        }
    }

    /// <summary>The chat client `chat` and `serve` talk to: a local checkpoint (loaded with a progress bar on a terminal) or an OpenAI-compatible server.</summary>
    /// <exception cref="ArgumentException">The options do not name exactly one model source, or name it badly.</exception>
    internal static IChatClient CreateClient(string? modelDir, string? endpoint, string? apiModel, string? apiKey, string device, string? dtype = null)
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

                // Reasoning the server sends as reasoning_content or reasoning arrives as TextReasoningContent.
                return OpenAICompatibleChatClient.Create(uri, apiModel, apiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"));
            default:
                return LoadLocal(modelDir!, device, dtype);
        }
    }

    private static QwenChatClient LoadLocal(string modelDir, string device, string? dtype)
    {
        var modelOptions = GenerateCommand.ModelOptions(device, dtype, threads: null);
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

    /// <summary>Reports on the loading thread (Progress&lt;T&gt; would post to the thread pool, after the bar has closed).</summary>
    private sealed class InlineProgress(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Runtime;
using Qwen.Tools;
using Spectre.Console;

namespace Qwen.Cli;

/// <summary><c>qwen docqa</c>: answers a question over documents of any length with the long-context agent of a level, no model call above the budget.</summary>
internal static class DocQACommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file")
        {
            Description = "A document to read (repeat the option, or list several after it).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var question = new Option<string>("--question") { Description = "The question.", Required = true };
        var level = new Option<int>("--level") { Description = "1: keyword retrieval; 2: read every chunk; 3: multi-hop sub-questions.", DefaultValueFactory = _ => 2 };
        var budget = new Option<int>("--budget") { Description = "The most tokens any one model call's prompt holds.", DefaultValueFactory = _ => 8000 };
        var chunkTokens = CommonOptions.ChunkTokens();
        var concurrency = new Option<int>("--concurrency") { Description = "Chunk-reading calls at the same time (levels 2 and 3).", DefaultValueFactory = _ => 8 };
        var model = new Option<string?>("--model") { Description = "Local checkpoint folder or Hugging Face model name such as Qwen/Qwen3-0.6B (its tokenizer also counts the tokens)." };
        var endpoint = new Option<string?>("--endpoint") { Description = "Base URL of an OpenAI-compatible server, instead of --model." };
        var apiModel = new Option<string?>("--api-model") { Description = "Model name on the server (with --endpoint)." };
        var apiKey = new Option<string?>("--api-key") { Description = "API key for the server; default: the OPENAI_API_KEY environment variable." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N (with --model).", DefaultValueFactory = _ => "auto" };
        var json = new Option<bool>("--json") { Description = "Print {\"answer\", \"level\", \"model_calls\", \"max_prompt_tokens\", \"chunks\", \"evidence\": [{\"source\", \"page\", \"text\"}]}." };
        var retrieveOnly = new Option<bool>("--retrieve-only") { Description = "No model: print the chunks Level 1 would give the model for the question as the query, within the budget." };

        var command = new Command("docqa", "Answer a question over long documents (any length) with a model whose window is small: keyword retrieval, every chunk read, or multi-hop.");
        foreach (var option in new Option[] { files, question, level, budget, chunkTokens, concurrency, model, endpoint, apiModel, apiKey, device, json, retrieveOnly })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tokenBudget = parseResult.GetValue(budget);
            if (tokenBudget < 256)
            {
                throw new ArgumentException($"--budget must be at least 256 tokens, not {tokenBudget}.");
            }

            var levelValue = parseResult.GetValue(level);
            if (levelValue is < 1 or > 3)
            {
                throw new ArgumentException($"--level must be 1, 2 or 3, not {levelValue}.");
            }

            var readers = parseResult.GetValue(concurrency);
            if (readers < 1)
            {
                throw new ArgumentException($"--concurrency must be at least 1, not {readers}.");
            }

            var paths = parseResult.GetValue(files)!;
            var text = parseResult.GetValue(question)!;
            var modelDir = await CliModels.ResolveOptionalAsync(parseResult.GetValue(model), cancellationToken).ConfigureAwait(false);
            var tokenizer = await CliTokenizers.CreateAsync(modelDir, cancellationToken).ConfigureAwait(false);
            var retrieval = new RetrievalOptions { TokenBudget = tokenBudget, Chunking = { MaxTokens = CommonOptions.CheckChunkTokens(parseResult.GetValue(chunkTokens)) } };
            using var parser = new DocumentParser();
            using var retriever = new DocumentRetriever(parser, tokenizer, retrieval);
            var console = Console.IsErrorRedirected ? null : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

            // Parsing, chunking and indexing happen once here; the agent then finds the index in the retriever's cache.
            int chunkCount;
            using (var index = await StatusAsync(console, $"Reading {paths.Length} document(s)", () => retriever.OpenIndexAsync(paths, cancellationToken)).ConfigureAwait(false))
            {
                chunkCount = index.Chunks.Count;
                if (parseResult.GetValue(retrieveOnly))
                {
                    var results = index.Search(RetrievalQuery.Parse(text), tokenBudget);
                    if (parseResult.GetValue(json))
                    {
                        await CliOutput.WriteJsonAsync(new JsonObject
                        {
                            ["question"] = text,
                            ["budget"] = tokenBudget,
                            ["tokens"] = results.Sum(r => r.Chunk.Tokens),
                            ["chunks"] = CliOutput.ChunksJson(results),
                        }).ConfigureAwait(false);
                    }
                    else
                    {
                        await CliOutput.WriteChunksAsync(results).ConfigureAwait(false);
                    }

                    return 0;
                }
            }

            using var client = ChatCommand.CreateClient(modelDir, parseResult.GetValue(endpoint), parseResult.GetValue(apiModel), parseResult.GetValue(apiKey), parseResult.GetValue(device)!);
            var counted = new PromptBudgetChatClient(client, tokenizer, tokenBudget);
            var options = new DocQAOptions
            {
                Name = "docqa",
                TokenBudget = tokenBudget,
                Documents = { Files = paths, Tokenizer = tokenizer, Retriever = retriever },
                ChunkReading = { MaxConcurrency = readers },
            };
            var agent = DocQAAgent.Create(counted, levelValue, options);
            try
            {
                var updates = await RunAsync(agent, text, console, streamAnswer: !parseResult.GetValue(json), cancellationToken).ConfigureAwait(false);
                var response = updates.ToAgentResponse();
                if (parseResult.GetValue(json))
                {
                    var knowledge = response.GetKnowledge();
                    JsonNode Evidence(string source, int page, string evidenceText) => new JsonObject { ["source"] = source, ["page"] = page, ["text"] = evidenceText };
                    var evidence = knowledge is null ? []
                        : knowledge.Evidence.Count > 0 ? knowledge.Evidence.Select(e => Evidence(e.Source, e.Page, e.Text))
                        : knowledge.Chunks.Select(c => Evidence(c.Chunk.Source, c.Chunk.Page, c.Chunk.Text));
                    await CliOutput.WriteJsonAsync(new JsonObject
                    {
                        ["answer"] = response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant)?.Text ?? string.Empty,
                        ["level"] = levelValue,
                        ["model_calls"] = counted.ModelCalls,
                        ["max_prompt_tokens"] = counted.LongestPromptTokens,
                        ["chunks"] = chunkCount,
                        ["evidence"] = new JsonArray([.. evidence]),
                    }).ConfigureAwait(false);
                }
            }
            finally
            {
                (agent as IDisposable)?.Dispose();
            }

            return 0;
        });
        return command;
    }

    private static async Task<List<AgentResponseUpdate>> RunAsync(AIAgent agent, string question, IAnsiConsole? console, bool streamAnswer, CancellationToken cancellationToken)
    {
        var updates = new List<AgentResponseUpdate>();
        var statusShown = false;
        await foreach (var update in agent.RunStreamingAsync(question, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            if (console is not null && update.GetChunkReadingProgress() is { } progress)
            {
                // One status line on stderr, rewritten in place, cleared before the answer streams.
                await Console.Error.WriteAsync($"\rReading chunks {progress.Done}/{progress.Total} ({progress.Relevant} relevant)").ConfigureAwait(false);
                statusShown = true;
            }

            if (!streamAnswer || update.Role != ChatRole.Assistant)
            {
                continue;
            }

            foreach (var content in update.Contents.OfType<TextContent>())
            {
                if (statusShown)
                {
                    await Console.Error.WriteAsync("\r\u001b[2K").ConfigureAwait(false);
                    statusShown = false;
                }

                await Console.Out.WriteAsync(content.Text).ConfigureAwait(false);
            }

            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (statusShown)
        {
            await Console.Error.WriteAsync("\r\u001b[2K").ConfigureAwait(false);
        }

        if (streamAnswer)
        {
            await Console.Out.WriteLineAsync().ConfigureAwait(false);
        }

        return updates;
    }

    private static async Task<T> StatusAsync<T>(IAnsiConsole? console, string what, Func<Task<T>> work) =>
        console is null ? await work().ConfigureAwait(false) : await console.Status().StartAsync(what, _ => work()).ConfigureAwait(false);
}

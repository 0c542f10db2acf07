using System.CommandLine;
using System.Text.Json.Nodes;
using Qwen.Tools;

namespace Qwen.Cli;

/// <summary><c>qwen search</c>: BM25 retrieval over documents, printing the best chunks within a token budget.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file")
        {
            Description = "A document to search (repeat the option, or list several after it).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var query = new Option<string>("--query") { Description = "A question, sentences, or a JSON keyword list.", Required = true };
        var budget = new Option<int>("--budget") { Description = "The most tokens the printed chunks may add up to.", DefaultValueFactory = _ => 8000 };
        var chunkTokens = CommonOptions.ChunkTokens();
        var json = new Option<bool>("--json") { Description = "Print JSON: {\"query\", \"budget\", \"chunks\": [{\"source\", \"page\", \"lastPage\", \"score\", \"tokens\", \"text\"}]}." };
        var model = CommonOptions.Model();

        var command = new Command("search", "Find the passages of documents that best match a query (BM25), within a token budget.");
        command.Options.Add(files);
        command.Options.Add(query);
        command.Options.Add(budget);
        command.Options.Add(chunkTokens);
        command.Options.Add(json);
        command.Options.Add(model);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tokenBudget = parseResult.GetValue(budget);
            if (tokenBudget < 1)
            {
                throw new ArgumentException($"--budget must be a positive number of tokens, not {tokenBudget}.");
            }

            var options = new RetrievalOptions { TokenBudget = tokenBudget, Chunking = { MaxTokens = CommonOptions.CheckChunkTokens(parseResult.GetValue(chunkTokens)) } };
            using var parser = new DocumentParser();
            using var retriever = new DocumentRetriever(parser, await CliTokenizers.CreateAsync(parseResult.GetValue(model), cancellationToken).ConfigureAwait(false), options);
            var text = parseResult.GetValue(query)!;
            var results = await retriever.RetrieveAsync(parseResult.GetValue(files)!, RetrievalQuery.Parse(text), cancellationToken: cancellationToken).ConfigureAwait(false);

            if (parseResult.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(new JsonObject { ["query"] = text, ["budget"] = tokenBudget, ["chunks"] = CliOutput.ChunksJson(results) }).ConfigureAwait(false);
                return 0;
            }

            await CliOutput.WriteChunksAsync(results).ConfigureAwait(false);
            if (results.Count == 0)
            {
                await Console.Error.WriteLineAsync("qwen: no chunk fits the budget; raise --budget or lower --chunk-tokens.").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Qwen.Tools;

namespace Qwen.Cli;

/// <summary><c>qwen parse FILE</c>: reads a document and prints its text page by page, or its chunks.</summary>
internal static class ParseCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The document: PDF, DOCX, PPTX, XLSX, HTML, TXT/Markdown, CSV/TSV or JSON, or an http(s) URL." };
        var chunks = new Option<bool>("--chunks") { Description = "Print the chunks (with page numbers and token counts) instead of the pages." };
        var chunkTokens = CommonOptions.ChunkTokens();
        var json = new Option<bool>("--json") { Description = "Print JSON: {\"file\", \"pages\": [{\"page\", \"text\"}], \"warnings\": [what could not be read]}, or with --chunks {\"file\", \"chunks\": [{\"text\", \"page\", \"tokens\"}]}." };
        var model = CommonOptions.Model();

        var command = new Command("parse", "Read a document and print its text with page numbers, or its chunks.");
        command.Arguments.Add(file);
        command.Options.Add(chunks);
        command.Options.Add(chunkTokens);
        command.Options.Add(json);
        command.Options.Add(model);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(file)!;
            var maxTokens = CommonOptions.CheckChunkTokens(parseResult.GetValue(chunkTokens));
            using var parser = new DocumentParser();
            var document = await parser.ParseAsync(path, cancellationToken).ConfigureAwait(false);
            if (!parseResult.GetValue(json) || parseResult.GetValue(chunks))
            {
                // What the reader left out goes to stderr, so the text on stdout stays the document's; --json carries it instead.
                foreach (var warning in document.Warnings)
                {
                    await Console.Error.WriteLineAsync($"qwen: warning: {warning}").ConfigureAwait(false);
                }
            }

            if (!parseResult.GetValue(chunks))
            {
                await WritePagesAsync(path, document, parseResult.GetValue(json)).ConfigureAwait(false);
                return 0;
            }

            var chunker = new DocumentChunker(await CliTokenizers.CreateAsync(parseResult.GetValue(model), cancellationToken).ConfigureAwait(false), new ChunkingOptions { MaxTokens = maxTokens });
            await WriteChunksAsync(path, chunker.Split(document, cancellationToken), parseResult.GetValue(json)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task WritePagesAsync(string path, ParsedDocument document, bool json)
    {
        if (json)
        {
            var pages = new JsonArray([.. document.Pages.Select(p => (JsonNode)new JsonObject { ["page"] = p.Number, ["text"] = p.Text })]);
            var warnings = new JsonArray([.. document.Warnings.Select(w => (JsonNode)JsonValue.Create(w))]);
            await CliOutput.WriteJsonAsync(new JsonObject { ["file"] = path, ["pages"] = pages, ["warnings"] = warnings }).ConfigureAwait(false);
            return;
        }

        foreach (var page in document.Pages)
        {
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[page: {page.Number}]")).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(page.Text).ConfigureAwait(false);
        }
    }

    private static async Task WriteChunksAsync(string path, IReadOnlyList<DocumentChunk> chunks, bool json)
    {
        if (json)
        {
            var items = new JsonArray([.. chunks.Select(c => (JsonNode)new JsonObject { ["text"] = c.Text, ["page"] = c.Page, ["tokens"] = c.Tokens })]);
            await CliOutput.WriteJsonAsync(new JsonObject { ["file"] = path, ["chunks"] = items }).ConfigureAwait(false);
            return;
        }

        foreach (var chunk in chunks)
        {
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"--- chunk {chunk.Index} ({CliOutput.Pages(chunk)}, {chunk.Tokens} tokens)")).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(chunk.Text).ConfigureAwait(false);
        }
    }
}

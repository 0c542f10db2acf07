using System.CommandLine;
using System.Text.Json.Nodes;
using Qwen.Runtime;

namespace Qwen.Cli;

/// <summary><c>qwen models</c>: lists the Qwen checkpoints in the Hugging Face cache, whoever downloaded them, with revision, size and folder.</summary>
internal static class ModelsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array: [{\"id\", \"revision\", \"path\", \"bytes\"}]." };
        var command = new Command("models", "List the Qwen checkpoints in the Hugging Face cache (HF_HUB_CACHE) with revision, size and folder.");
        command.Options.Add(json);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var hub = new HubClient();
            var models = hub.GetCachedModels();
            if (parseResult.GetValue(json))
            {
                await CliOutput.WriteJsonAsync(new JsonArray([.. models.Select(m => (JsonNode)new JsonObject
                {
                    ["id"] = m.Id,
                    ["revision"] = m.Revision,
                    ["path"] = m.Path,
                    ["bytes"] = m.Bytes,
                })])).ConfigureAwait(false);
                return 0;
            }

            if (models.Count == 0)
            {
                await Console.Error.WriteLineAsync($"qwen: no Qwen checkpoints in {hub.CacheDirectory}; fetch one with: qwen download {CliModels.DefaultModel}").ConfigureAwait(false);
                return 0;
            }

            var rows = models.Select(m => new[] { m.Id, ShortRevision(m.Revision), CliModels.FormatBytes(m.Bytes), m.Path }).Prepend(["MODEL", "REVISION", "SIZE", "PATH"]).ToList();
            var widths = Enumerable.Range(0, 3).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                await Console.Out.WriteLineAsync($"{row[0].PadRight(widths[0])}  {row[1].PadRight(widths[1])}  {row[2].PadLeft(widths[2])}  {row[3]}").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    /// <summary>A commit shortened as git does; branch and tag names as they are.</summary>
    private static string ShortRevision(string revision) => revision.Length == 40 && revision.All(char.IsAsciiHexDigit) ? revision[..12] : revision;
}

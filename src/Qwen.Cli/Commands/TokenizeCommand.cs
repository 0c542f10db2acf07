using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Qwen.Core;

namespace Qwen.Cli;

/// <summary><c>qwen tokenize</c>: prints the token ids (or tokens, or the count) a checkpoint's tokenizer gives a text.</summary>
internal static class TokenizeCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model")
        {
            Description = CliModels.Describe("tokenizer.json and tokenizer_config.json"),
            Required = true,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON object: {\"ids\": [...], \"tokens\": [...]} (with --count: {\"count\": N})",
        };
        var count = new Option<bool>("--count")
        {
            Description = "Print only the number of tokens",
        };
        var text = new Argument<string>("text")
        {
            Description = "The text to tokenize; - reads it from standard input",
        };

        var command = new Command("tokenize", "Tokenize text with a Qwen checkpoint's tokenizer and print the token ids");
        command.Options.Add(model);
        command.Options.Add(json);
        command.Options.Add(count);
        command.Arguments.Add(text);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var input = parseResult.GetValue(text)!;
            if (input == "-")
            {
                input = await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }

            var tokenizer = QwenTokenizer.FromDirectory(await CliModels.ResolveAsync(parseResult.GetValue(model)!, cancellationToken).ConfigureAwait(false));
            var ids = tokenizer.EncodeToIds(input);
            var asJson = parseResult.GetValue(json);
            string output;
            if (parseResult.GetValue(count))
            {
                output = asJson
                    ? JsonSerializer.Serialize(new Dictionary<string, int> { ["count"] = ids.Count }, JsonOptions)
                    : ids.Count.ToString(CultureInfo.InvariantCulture);
            }
            else if (asJson)
            {
                var tokens = ids.Select(id => tokenizer.IdToToken(id) ?? string.Empty).ToArray();
                output = JsonSerializer.Serialize(new Dictionary<string, object> { ["ids"] = ids, ["tokens"] = tokens }, JsonOptions);
            }
            else
            {
                output = string.Join(' ', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
            }

            await Console.Out.WriteLineAsync(output.AsMemory(), cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qwen.Core;

namespace Qwen.Cli;

/// <summary><c>qwen template</c>: renders a conversation with a checkpoint's own chat template and prints the prompt text, byte for byte.</summary>
internal static class TemplateCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model")
        {
            Description = CliModels.Describe("tokenizer_config.json or chat_template.jinja"),
            Required = true,
        };
        var messages = new Option<string>("--messages")
        {
            Description = "JSON file with the messages: an array of {\"role\", \"content\", ...} as Hugging Face's apply_chat_template takes them",
            Required = true,
        };
        var tools = new Option<string?>("--tools")
        {
            Description = "JSON file with the tools: an array of {\"type\": \"function\", \"function\": {\"name\", \"description\", \"parameters\"}}",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON object: {\"text\": \"...\"}",
        };
        var noGenerationPrompt = new Option<bool>("--no-generation-prompt")
        {
            Description = "Do not end the prompt with the opening of the assistant's turn",
        };
        var noThinking = new Option<bool>("--no-thinking")
        {
            Description = "Set enable_thinking=false (Qwen3: answer without reasoning)",
        };

        var command = new Command("template", "Render a conversation with a checkpoint's chat template and print the prompt text");
        command.Options.Add(model);
        command.Options.Add(messages);
        command.Options.Add(tools);
        command.Options.Add(json);
        command.Options.Add(noGenerationPrompt);
        command.Options.Add(noThinking);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var messageList = await ReadArrayAsync(parseResult.GetValue(messages)!, "messages", cancellationToken).ConfigureAwait(false);
            var toolsPath = parseResult.GetValue(tools);
            var options = new ChatTemplateOptions
            {
                AddGenerationPrompt = !parseResult.GetValue(noGenerationPrompt),
                EnableThinking = parseResult.GetValue(noThinking) ? false : null,
                ToolsJson = toolsPath is null ? null : await ReadArrayAsync(toolsPath, "tools", cancellationToken).ConfigureAwait(false),
            };

            var template = ChatTemplate.FromDirectory(await CliModels.ResolveAsync(parseResult.GetValue(model)!, cancellationToken).ConfigureAwait(false));
            var text = template.RenderJson(messageList, options);
            var output = parseResult.GetValue(json)
                ? JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = text }, JsonOptions) + "\n"
                : text;

            // The prompt goes out as its exact UTF-8 bytes, whatever the console's encoding, so it can be piped into a tokenizer.
            using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(Encoding.UTF8.GetBytes(output), cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task<JsonArray> ReadArrayAsync(string path, string what, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} file '{path}' does not exist", path);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} file '{path}' is not valid JSON: {e.Message}", e);
        }

        return node as JsonArray ?? throw new InvalidDataException($"{what} file '{path}' must hold a JSON array, not {node?.GetValueKind().ToString() ?? "null"}");
    }
}

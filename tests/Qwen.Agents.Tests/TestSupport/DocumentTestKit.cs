using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Agents.Tests.TestSupport;

/// <summary>Documents, the real Qwen tokenizer and budget checks for the retrieval and document QA tests.</summary>
internal static class DocumentTestKit
{
    private static readonly Lazy<QwenTokenizer> LazyQwen = new(() =>
        QwenTokenizer.FromDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "qwen3")));

    private static readonly string[] Subjects = ["The harbour", "A merchant", "The old mill", "Our village", "The river", "A traveller", "The council", "The orchard"];
    private static readonly string[] Verbs = ["watched", "remembered", "described", "carried", "measured", "painted", "followed", "ignored"];
    private static readonly string[] Objects = ["the autumn fog", "a quiet market", "the northern road", "seven wooden boats", "the evening bells", "a long winter", "the stone bridge", "an empty granary"];

    /// <summary>Gets the real Qwen3 tokenizer (the fixture of Qwen.Core.Tests).</summary>
    public static QwenTokenizer Qwen => LazyQwen.Value;

    /// <summary>Counts a request as the model would see it: ChatML rendered, counted with the real Qwen tokenizer (tools included).</summary>
    public static int PromptTokens(ScriptedRequest request)
    {
        var text = new StringBuilder();
        foreach (var tool in request.Options?.Tools ?? [])
        {
            text.Append(tool.Name).Append(' ').Append(tool.Description).Append(' ');
            if (tool is AIFunctionDeclaration function)
            {
                text.Append(function.JsonSchema.GetRawText());
            }
        }

        foreach (var message in request.Messages)
        {
            text.Append("<|im_start|>").Append(message.Role.Value).Append('\n');
            foreach (var content in message.Contents)
            {
                text.Append(content switch
                {
                    TextContent t => t.Text,
                    FunctionCallContent c => $"<tool_call>{c.Name} {System.Text.Json.JsonSerializer.Serialize(c.Arguments)}</tool_call>",
                    FunctionResultContent r => $"<tool_response>{r.Result}</tool_response>",
                    _ => string.Empty,
                });
            }

            text.Append("<|im_end|>\n");
        }

        text.Append("<|im_start|>assistant\n");
        return Qwen.CountTokens(text.ToString());
    }

    /// <summary>A fake model that fails any prompt longer than <paramref name="budget"/> real Qwen tokens, then lets <paramref name="script"/> answer.</summary>
    public static ScriptedChatClient Budgeted(int budget, Func<ScriptedRequest, ScriptedReply> script, List<int>? promptSizes = null) => new(request =>
    {
        var tokens = PromptTokens(request);
        if (promptSizes is not null)
        {
            lock (promptSizes)
            {
                promptSizes.Add(tokens);
            }
        }

        return tokens > budget
            ? throw new InvalidOperationException($"The fake model's budget is {budget} tokens; request {request.Index} has {tokens}.")
            : script(request);
    });

    /// <summary>Filler prose of about <paramref name="paragraphs"/> paragraphs, deterministic, with <paramref name="needles"/> inserted at the given paragraph positions.</summary>
    public static string Haystack(int paragraphs, params (int At, string Text)[] needles)
    {
        var text = new StringBuilder();
        var random = new Random(7);
        for (var p = 0; p < paragraphs; p++)
        {
            foreach (var needle in needles.Where(n => n.At == p))
            {
                text.Append(needle.Text).Append("\n\n");
            }

            for (var s = 0; s < 6; s++)
            {
                text.Append(Subjects[random.Next(Subjects.Length)]).Append(' ').Append(Verbs[random.Next(Verbs.Length)]).Append(' ')
                    .Append(Objects[random.Next(Objects.Length)]).Append(string.Create(CultureInfo.InvariantCulture, $" in year {1200 + random.Next(600)}. "));
            }

            text.Append("\n\n");
        }

        return text.ToString();
    }

    /// <summary>Writes <paramref name="text"/> to a new file in a fresh folder under the test temp root.</summary>
    public static string WriteFile(string text, string name = "doc.txt")
    {
        var folder = Path.Combine(Path.GetTempPath(), "qwen-agents-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}

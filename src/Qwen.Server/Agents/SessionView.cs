using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>A stored conversation as the UI draws it: user turns, reasoning, answer text and tool cards (call, arguments, result, images), in order.</summary>
internal static partial class SessionView
{
    /// <summary>The display items of a conversation.</summary>
    public static JsonArray Items(IEnumerable<ChatMessage> messages, string sessionId)
    {
        var items = new JsonArray();
        var cards = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.User)
            {
                items.Add(new JsonObject { ["type"] = "user", ["text"] = message.Text });
                continue;
            }

            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextReasoningContent reasoning:
                        Append(items, "reasoning", reasoning.Text);
                        break;
                    case TextContent text when message.Role == ChatRole.Assistant:
                        Append(items, "text", text.Text);
                        break;
                    case FunctionCallContent call:
                        var card = new JsonObject { ["type"] = "tool", ["id"] = call.CallId, ["name"] = call.Name, ["arguments"] = Arguments(call), ["result"] = null, ["images"] = new JsonArray() };
                        cards[call.CallId] = card;
                        items.Add(card);
                        break;
                    case FunctionResultContent result when cards.TryGetValue(result.CallId, out var open):
                        var (resultText, images) = ReadStoredResult(ResultText(result.Result), sessionId);
                        open["result"] = resultText;
                        open["images"] = new JsonArray([.. images.Select(i => JsonValue.Create(i))]);
                        break;
                }
            }
        }

        return items;
    }

    /// <summary>A call's arguments as compact JSON.</summary>
    public static string Arguments(FunctionCallContent call) =>
        JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions);

    /// <summary>A tool result's text; images are split out by <paramref name="image"/>, which returns the note that replaces each.</summary>
    public static string ResultText(object? result, Func<DataContent, string>? image = null) => result switch
    {
        null => string.Empty,
        string s => s,
        DataContent data when data.HasTopLevelMediaType("image") => image?.Invoke(data) ?? $"[image: {data.MediaType}]",
        TextContent text => text.Text,
        ErrorContent error => error.Message,
        IEnumerable<AIContent> contents => string.Join("\n", contents.Select(c => ResultText(c, image)).Where(t => t.Length > 0)),
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement element => element.GetRawText(),
        AIContent other => other.ToString() ?? string.Empty,
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions),
    };

    /// <summary>The note a saved image leaves in a stored tool result.</summary>
    public static string ImageNote(string fileName) => $"[image: media/{fileName}]";

    /// <summary>A stored result's text without its image notes, and the images' URLs.</summary>
    public static (string Text, List<string> Images) ReadStoredResult(string stored, string sessionId)
    {
        var images = new List<string>();
        var text = ImageNotePattern().Replace(stored, m =>
        {
            images.Add($"api/sessions/{sessionId}/media/{Uri.EscapeDataString(m.Groups[1].Value)}");
            return string.Empty;
        });
        return (text.Trim(), images);
    }

    private static void Append(JsonArray items, string type, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (items.Count > 0 && items[^1] is JsonObject last && last["type"]!.GetValue<string>() == type)
        {
            last["text"] = last["text"]!.GetValue<string>() + text;
        }
        else
        {
            items.Add(new JsonObject { ["type"] = type, ["text"] = text });
        }
    }

    [GeneratedRegex(@"^\[image: media/([^\]\r\n/\\]+)\]\r?$", RegexOptions.Multiline)]
    private static partial Regex ImageNotePattern();
}

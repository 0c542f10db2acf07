using System.Text;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Agents;

/// <summary>
/// Rewrites a conversation for a model that reads tools and calls as text: the tools into the system message, earlier
/// calls and tool results into the format's text, so the inner client sees only system, user and assistant text.
/// </summary>
internal static class PromptHistoryRenderer
{
    /// <summary>Rewrites <paramref name="messages"/>; <paramref name="toolsText"/> (when not null) joins the system message after a blank line.</summary>
    public static List<ChatMessage> Render(IEnumerable<ChatMessage> messages, FunctionCallFormat format, string? toolsText)
    {
        var input = messages.ToList();
        var output = new List<ChatMessage>(input.Count + 1);
        if (toolsText is not null)
        {
            if (input.Count > 0 && input[0].Role == ChatRole.System)
            {
                var system = input[0].Text;
                output.Add(new ChatMessage(ChatRole.System, system.Length > 0 ? system + "\n\n" + toolsText : toolsText));
                input.RemoveAt(0);
            }
            else
            {
                output.Add(new ChatMessage(ChatRole.System, toolsText));
            }
        }

        if (format == FunctionCallFormat.Qwen)
        {
            RenderQwen(input, output);
        }
        else
        {
            RenderTagged(input, output, format);
        }

        return output;
    }

    /// <summary>Hermes and XML, as the Qwen templates lay them out: calls after the assistant's text, results in a user turn.</summary>
    private static void RenderTagged(List<ChatMessage> input, List<ChatMessage> output, FunctionCallFormat format)
    {
        var results = new List<string>();
        foreach (var message in input)
        {
            if (message.Role == ChatRole.Tool)
            {
                results.AddRange(message.Contents.OfType<FunctionResultContent>().Select(r => format == FunctionCallFormat.Xml ? XmlFunctionCallFormat.RenderResult(r) : HermesFormat.RenderResult(r)));
                continue;
            }

            FlushResults();
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            var ownResults = message.Contents.OfType<FunctionResultContent>().ToList();
            if (calls.Count == 0 && ownResults.Count == 0)
            {
                output.Add(WithoutReasoning(message));
                continue;
            }

            var text = TextOf(message);
            var builder = new StringBuilder();
            if (format == FunctionCallFormat.Xml)
            {
                builder.Append(text.Trim());
                builder.Append(text.Trim().Length > 0 ? "\n" : string.Empty);
                foreach (var call in calls)
                {
                    builder.Append('\n').Append(XmlFunctionCallFormat.RenderCall(call));
                }
            }
            else
            {
                builder.Append(text);
                foreach (var call in calls)
                {
                    builder.Append(builder.Length > 0 ? "\n" : string.Empty).Append(HermesFormat.RenderCall(call));
                }
            }

            output.Add(Copy(message, builder.ToString().TrimStart('\n')));

            // A result inside a non-tool message (unusual, but MEAI allows it) still reaches the model.
            results.AddRange(ownResults.Select(r => format == FunctionCallFormat.Xml ? XmlFunctionCallFormat.RenderResult(r) : HermesFormat.RenderResult(r)));
        }

        FlushResults();

        void FlushResults()
        {
            if (results.Count > 0)
            {
                output.Add(new ChatMessage(ChatRole.User, string.Join("\n", results)));
                results.Clear();
            }
        }
    }

    /// <summary>
    /// Qwen-Agent's layout: an assistant turn holds its text, the calls, the results and <c>✿RETURN✿</c>, then the reply,
    /// in one assistant message; a conversation that ends waiting for the reply ends with <c>✿RETURN✿</c>.
    /// </summary>
    private static void RenderQwen(List<ChatMessage> input, List<ChatMessage> output)
    {
        StringBuilder? turn = null;
        ChatMessage? turnSource = null;
        for (var i = 0; i < input.Count; i++)
        {
            var message = input[i];
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            if (message.Role == ChatRole.Assistant)
            {
                var text = TextOf(message);
                if (turn is null)
                {
                    if (calls.Count == 0)
                    {
                        output.Add(WithoutReasoning(message));
                        continue;
                    }

                    turn = new StringBuilder();
                    turnSource = message;
                }

                turn.Append(text);
                if (calls.Count > 0)
                {
                    var results = new List<FunctionResultContent>();
                    while (i + 1 < input.Count && input[i + 1].Role == ChatRole.Tool)
                    {
                        results.AddRange(input[++i].Contents.OfType<FunctionResultContent>());
                    }

                    if (turn.Length > 0)
                    {
                        turn.Append('\n');
                    }

                    turn.Append(QwenFnCallFormat.RenderRound(calls, OrderByCalls(calls, results)));
                }

                continue;
            }

            if (turn is not null)
            {
                output.Add(Copy(turnSource!, EndTurn(turn)));
                turn = null;
            }

            if (message.Role == ChatRole.Tool)
            {
                // Results without the calls that asked for them (the history was cut): still shown to the model.
                var lines = message.Contents.OfType<FunctionResultContent>().Select(QwenFnCallFormat.RenderResult);
                output.Add(new ChatMessage(ChatRole.User, string.Join("\n", lines)));
                continue;
            }

            output.Add(message);
        }

        if (turn is not null)
        {
            output.Add(Copy(turnSource!, EndTurn(turn)));
        }
    }

    /// <summary>Qwen-Agent removes the final <c>": "</c> of a turn that waits for the reply, so the model writes it.</summary>
    private static string EndTurn(StringBuilder turn)
    {
        var text = turn.ToString();
        return text.EndsWith(QwenFnCallFormat.ReturnMarker + ": ", StringComparison.Ordinal) ? text[..^2] : text;
    }

    private static List<FunctionResultContent> OrderByCalls(List<FunctionCallContent> calls, List<FunctionResultContent> results)
    {
        var ordered = new List<FunctionResultContent>(results.Count);
        foreach (var call in calls)
        {
            var match = results.FirstOrDefault(r => r.CallId == call.CallId);
            if (match is not null)
            {
                ordered.Add(match);
                results.Remove(match);
            }
        }

        ordered.AddRange(results);
        return ordered;
    }

    private static string TextOf(ChatMessage message) =>
        string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));

    /// <summary>Earlier turns' reasoning is not sent back, as the Qwen3 templates drop it.</summary>
    private static ChatMessage WithoutReasoning(ChatMessage message)
    {
        if (!message.Contents.Any(c => c is TextReasoningContent))
        {
            return message;
        }

        var copy = message.Clone();
        copy.Contents = [.. message.Contents.Where(c => c is not TextReasoningContent)];
        return copy;
    }

    private static ChatMessage Copy(ChatMessage source, string text) => new(source.Role, text)
    {
        AuthorName = source.AuthorName,
        MessageId = source.MessageId,
        AdditionalProperties = source.AdditionalProperties,
    };
}

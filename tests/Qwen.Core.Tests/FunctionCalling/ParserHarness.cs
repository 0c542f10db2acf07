using System.Text;
using System.Text.Json;
using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

/// <summary>Runs parsers over chunked input and reduces their events to comparable lines.</summary>
internal static class ParserHarness
{
    public static IReadOnlyList<FunctionCallEvent> Run(FunctionCallFormat format, IEnumerable<string> chunks, FunctionCallParserOptions? options = null)
    {
        var parser = FunctionCallFormats.CreateParser(format, options);
        var events = new List<FunctionCallEvent>();
        foreach (var chunk in chunks)
        {
            events.AddRange(parser.Append(chunk));
        }

        events.AddRange(parser.Complete());
        return events;
    }

    /// <summary>Parses <paramref name="output"/> in one piece and reduces the events to lines.</summary>
    public static List<string> Parse(FunctionCallFormat format, string output, FunctionCallParserOptions? options = null) =>
        Describe(Run(format, [output], options));

    /// <summary>
    /// Parses <paramref name="output"/> whole, char by char, split in two at every position and in random chunks,
    /// asserts every split gives the same events, and returns them.
    /// </summary>
    public static List<string> ParseInEverySplit(
        FunctionCallFormat format, string output, bool startInReasoning = false, IReadOnlyList<Microsoft.Extensions.AI.AIFunctionDeclaration>? tools = null)
    {
        var options = new FunctionCallParserOptions { StartInReasoning = startInReasoning, Tools = tools };
        var expected = Describe(Run(format, [output], options));
        Assert.Equal(expected, Describe(Run(format, output.Select(c => c.ToString()), options)));
        for (var split = 1; split < output.Length; split++)
        {
            Assert.Equal(expected, Describe(Run(format, [output[..split], output[split..]], options)));
        }

        var random = new Random(output.Length);
        for (var round = 0; round < 30; round++)
        {
            Assert.Equal(expected, Describe(Run(format, RandomChunks(output, random), options)));
        }

        return expected;
    }

    public static IEnumerable<string> RandomChunks(string text, Random random)
    {
        var position = 0;
        while (position < text.Length)
        {
            var length = Math.Min(text.Length - position, random.Next(0, 9));
            yield return text.Substring(position, length); // empty deltas included on purpose
            position += length;
        }
    }

    /// <summary>Joins adjacent text (and reasoning) events and writes every event as one line; call ids are left out.</summary>
    public static List<string> Describe(IEnumerable<FunctionCallEvent> events)
    {
        var lines = new List<string>();
        var run = new StringBuilder();
        string? runKind = null;
        foreach (var e in events)
        {
            var (kind, text) = e switch
            {
                TextEvent t => ("text", t.Text),
                ReasoningEvent r => ("reasoning", r.Text),
                _ => (null, null),
            };

            if (kind is not null && kind == runKind)
            {
                run.Append(text);
                continue;
            }

            Flush();
            if (kind is not null)
            {
                runKind = kind;
                run.Append(text);
                continue;
            }

            lines.Add(e switch
            {
                ToolCallEvent call => $"call {call.Call.Name} {JsonSerializer.Serialize(call.Call.Arguments)}",
                ToolCallParseErrorEvent error => $"error {error.Name ?? "-"} <<{error.RawText}>>",
                _ => throw new InvalidOperationException($"unexpected event {e}"),
            });
        }

        Flush();
        return lines;

        void Flush()
        {
            if (runKind is not null)
            {
                lines.Add($"{runKind} {run}");
            }

            run.Clear();
            runKind = null;
        }
    }
}

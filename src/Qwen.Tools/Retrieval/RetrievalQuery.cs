using System.Text.Json;

namespace Qwen.Tools;

/// <summary>What to retrieve: a question or sentences, keywords with weights, or both.</summary>
public sealed class RetrievalQuery
{
    private static readonly JsonDocumentOptions LenientJson = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Initializes a new instance of the <see cref="RetrievalQuery"/> class.</summary>
    /// <param name="text">A question or sentences; may be <see langword="null"/>.</param>
    /// <param name="keywords">Keywords with weights; may be <see langword="null"/>.</param>
    public RetrievalQuery(string? text, IEnumerable<WeightedKeyword>? keywords = null)
    {
        Text = text ?? string.Empty;
        Keywords = keywords?.ToList() ?? [];
    }

    /// <summary>Gets the question or sentences.</summary>
    public string Text { get; }

    /// <summary>Gets the keywords with their weights.</summary>
    public IReadOnlyList<WeightedKeyword> Keywords { get; }

    /// <summary>Gets a value indicating whether the query holds nothing to search for.</summary>
    public bool IsEmpty => string.IsNullOrWhiteSpace(Text) && Keywords.All(k => string.IsNullOrWhiteSpace(k.Text));

    /// <summary>
    /// Reads a query as models and agents write it: plain text; a JSON array of keywords (strings, or objects with
    /// <c>text</c>/<c>word</c> and <c>weight</c>); or a JSON object with <c>text</c> and any <c>keywords*</c> lists
    /// (Qwen-Agent's <c>{"keywords_zh": [...], "keywords_en": [...], "text": ...}</c>).
    /// </summary>
    /// <param name="query">The query.</param>
    /// <returns>The query.</returns>
    public static RetrievalQuery Parse(string? query)
    {
        var trimmed = query?.Trim() ?? string.Empty;
        if (trimmed.Length < 2 || trimmed[0] is not ('{' or '['))
        {
            return new RetrievalQuery(trimmed);
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed, LenientJson);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                return new RetrievalQuery(null, ReadKeywords(root));
            }

            string? text = null;
            var keywords = new List<WeightedKeyword>();
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("text") && property.Value.ValueKind == JsonValueKind.String)
                {
                    text = property.Value.GetString();
                }
                else if (property.Name.StartsWith("keywords", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Array)
                {
                    keywords.AddRange(ReadKeywords(property.Value));
                }
            }

            return new RetrievalQuery(text, keywords);
        }
        catch (JsonException)
        {
            // Not JSON after all: a question that happens to start with a bracket.
            return new RetrievalQuery(trimmed);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        Keywords.Count == 0 ? Text : $"{Text} [{string.Join(", ", Keywords.Select(k => k.Weight == 1 ? k.Text : $"{k.Text}^{k.Weight}"))}]".Trim();

    private static IEnumerable<WeightedKeyword> ReadKeywords(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                yield return new WeightedKeyword(item.GetString()!);
            }
            else if (item.ValueKind == JsonValueKind.Object)
            {
                var text = item.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                    : item.TryGetProperty("word", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString()
                    : null;
                var weight = item.TryGetProperty("weight", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 1;
                if (text is not null)
                {
                    yield return new WeightedKeyword(text, weight);
                }
            }
        }
    }
}

using UglyToad.PdfPig.Content;

namespace Qwen.Tools;

/// <summary>
/// What the normal appearance streams of a page's annotations draw as text: the glyphs, placed on the page as they are seen (to
/// be laid out with the page's own glyphs), and the text of each annotation in drawing order (to tell whether a field's value
/// or an annotation's contents is already drawn).
/// </summary>
/// <param name="Letters">The glyphs drawn, in page coordinates.</param>
/// <param name="Texts">The text each annotation draws, its glyphs joined in drawing order; one entry per annotation that draws text.</param>
internal sealed record PdfAppearanceText(IReadOnlyList<Letter> Letters, IReadOnlyList<string> Texts)
{
    private readonly string[] _compact = [.. Texts.Select(Compact)];

    /// <summary>No annotation draws text.</summary>
    public static PdfAppearanceText None { get; } = new([], []);

    /// <summary>Gets the appearances that could not be drawn and why, one sentence each, naming the page and the annotation.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// Whether an annotation's appearance draws <paramref name="text"/>: white space is ignored, as an appearance breaks a long
    /// value into lines and a comb field draws one character per cell.
    /// </summary>
    public bool Draws(string text)
    {
        var wanted = Compact(text);
        return wanted.Length > 0 && _compact.Any(drawn => drawn.Contains(wanted, StringComparison.Ordinal));
    }

    private static string Compact(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
}

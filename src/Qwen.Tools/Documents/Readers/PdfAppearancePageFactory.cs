using System.Runtime.CompilerServices;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Geometry;
using UglyToad.PdfPig.Graphics.Operations;
using UglyToad.PdfPig.Outline.Destinations;
using UglyToad.PdfPig.Parser;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Reads the text that a page's annotations draw in their normal appearance streams (<c>/AP /N</c>): fields without a value whose
/// appearance shows text, the options of list boxes, push-button captions, free-text annotations with only an appearance. PdfPig
/// reads annotation dictionaries but never draws their appearances, and poppler does; text that exists only there was lost.
/// </summary>
/// <remarks>
/// PdfPig creates this factory itself (<see cref="PdfDocument.AddPageFactory{TPage, TPageFactory}"/>) with the document's own
/// token scanner, resource store (fonts already loaded are shared) and content parser, so an appearance is drawn by PdfPig's
/// interpreter with the fonts, encodings and ToUnicode maps it uses for the page. Each appearance is drawn as the PDF
/// specification places it (its /BBox transformed by its /Matrix, fitted into the annotation's /Rect), so its glyphs land where a
/// person sees them and are laid out with the page's own glyphs. Appearance streams are untrusted: hidden annotations, more than
/// <see cref="MaxAnnotations"/> per page, streams over <see cref="MaxEncodedBytes"/> or inflating past
/// <see cref="MaxDecodedBytes"/>, filters other than Flate and the ASCII ones, and glyphs past <see cref="MaxLetters"/> are not
/// drawn; forms nested inside appearances were checked for cycles and depth by <see cref="PdfNestingGuard"/> before the page is
/// read; an appearance that fails to draw is skipped alone.
/// </remarks>
internal sealed class PdfAppearancePageFactory(
    IPdfTokenScanner pdfScanner,
    IResourceStore resourceStore,
    ILookupFilterProvider filterProvider,
    IPageContentParser pageContentParser,
    ParsingOptions parsingOptions)
    : BasePageFactory<PdfAppearanceText>(pdfScanner, resourceStore, filterProvider, pageContentParser, parsingOptions)
{
    /// <summary>Annotations drawn per page at most.</summary>
    public const int MaxAnnotations = 2_000;

    /// <summary>An appearance stream larger than this, as stored, is not drawn.</summary>
    public const int MaxEncodedBytes = 1 << 20;

    /// <summary>An appearance stream that inflates to more than this is not drawn.</summary>
    public const int MaxDecodedBytes = 4 << 20;

    /// <summary>All the appearance streams of a page together are drawn up to this many bytes of content, decoded.</summary>
    public const int MaxPageBytes = 16 << 20;

    /// <summary>Glyphs kept per page at most.</summary>
    public const int MaxLetters = 100_000;

    /// <summary>Annotation flags (PDF 32000-1, 12.5.3): Hidden and NoView annotations are not displayed.</summary>
    private const int HiddenOrNoView = (1 << 1) | (1 << 5);

    private static readonly ConditionalWeakTable<IPdfTokenScanner, DictionaryToken> DefaultResources = [];

    private static readonly NameToken AnnotsName = NameToken.Create("Annots");
    private static readonly NameToken AppearanceName = NameToken.Create("AP");
    private static readonly NameToken NormalName = NameToken.Create("N");
    private static readonly NameToken StateName = NameToken.Create("AS");
    private static readonly NameToken SubtypeName = NameToken.Create("Subtype");
    private static readonly NameToken FlagsName = NameToken.Create("F");
    private static readonly NameToken FieldNameName = NameToken.Create("T");
    private static readonly NameToken RectName = NameToken.Create("Rect");
    private static readonly NameToken BBoxName = NameToken.Create("BBox");
    private static readonly NameToken MatrixName = NameToken.Create("Matrix");
    private static readonly NameToken FilterName = NameToken.Create("Filter");
    private static readonly NameToken AcroFormName = NameToken.Create("AcroForm");
    private static readonly NameToken DefaultResourcesName = NameToken.Create("DR");

    /// <summary>
    /// Lets the document's pages be read for their appearance text with <c>pdf.GetPage&lt;PdfAppearanceText&gt;(n)</c>; the
    /// form's default resources (<c>/AcroForm /DR</c>) serve appearances that name a font only there.
    /// </summary>
    public static void Register(PdfDocument pdf)
    {
        pdf.AddPageFactory<PdfAppearanceText, PdfAppearancePageFactory>();
        if (PdfNestingGuard.Resolve(pdf, pdf.Structure.Catalog.CatalogDictionary.Data.GetValueOrDefault(AcroFormName.Data)) is DictionaryToken form
            && PdfNestingGuard.Resolve(pdf, form.Data.GetValueOrDefault(DefaultResourcesName.Data)) is DictionaryToken resources)
        {
            DefaultResources.AddOrUpdate(pdf.Structure.TokenScanner, resources);
        }
    }

    /// <summary>Whether any annotation of the page has an appearance dictionary (only then is the page read for it).</summary>
    public static bool HasAppearances(PdfDocument pdf, DictionaryToken page) =>
        PdfNestingGuard.Resolve(pdf, page.Data.GetValueOrDefault(AnnotsName.Data)) is ArrayToken annotations
        && annotations.Data.Take(MaxAnnotations).Any(a => PdfNestingGuard.Resolve(pdf, a) is DictionaryToken d && d.Data.ContainsKey(AppearanceName.Data));

    /// <inheritdoc/>
    protected override PdfAppearanceText ProcessPage(int pageNumber, DictionaryToken dictionary, NamedDestinations namedDestinations, MediaBox mediaBox,
        CropBox cropBox, UserSpaceUnit userSpaceUnit, PageRotationDegrees rotation, TransformationMatrix initialMatrix,
        IReadOnlyList<IGraphicsStateOperation> operations)
    {
        if (Resolve(dictionary.Data.GetValueOrDefault(AnnotsName.Data)) is not ArrayToken annotations)
        {
            return PdfAppearanceText.None;
        }

        var letters = new List<Letter>();
        var texts = new List<string>();
        var warnings = new List<string>();
        var bytes = 0L;
        var defaults = DefaultResources.TryGetValue(PdfScanner, out var found) ? found : null;
        if (defaults is not null)
        {
            // Below the appearance's own resources: a name it defines itself wins.
            ResourceStore.LoadResourceDictionary(defaults);
        }

        try
        {
            foreach (var item in annotations.Data.Take(MaxAnnotations))
            {
                if (letters.Count >= MaxLetters || Resolve(item) is not DictionaryToken annotation || Appearance(annotation) is not { } appearance)
                {
                    continue;
                }

                bytes += appearance.Size;
                if (bytes > MaxPageBytes)
                {
                    break;
                }

                try
                {
                    var processor = new PdfAppearanceProcessor(pageNumber, ResourceStore, PdfScanner, PageContentParser, FilterProvider, cropBox, userSpaceUnit,
                        rotation, appearance.Placement.Multiply(initialMatrix), ParsingOptions, MaxLetters - letters.Count);
                    // A viewer shows an appearance clipped to the annotation's rectangle: text that overflows a narrow field is not
                    // seen, and would run into the next field's words.
                    var visible = initialMatrix.Transform(appearance.Rect);
                    var drawn = processor.Draw(appearance.Stream).FindAll(l => Inside(l, visible));
                    if (drawn.Count > 0)
                    {
                        letters.AddRange(drawn);
                        texts.Add(string.Concat(drawn.Select(l => l.Value)));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    // One appearance PdfPig cannot draw (a font it cannot load, a damaged stream) costs its own text only, and says so.
                    warnings.Add($"Page {pageNumber}: the text of {Describe(item, annotation)} was left out: "
                        + PdfDocumentReader.Describe(e, "its appearance stream is damaged", $"the PDF library failed on page {pageNumber}"));
                }
            }
        }
        finally
        {
            if (defaults is not null)
            {
                ResourceStore.UnloadResourceDictionary();
            }
        }

        return letters.Count == 0 && warnings.Count == 0 ? PdfAppearanceText.None : new PdfAppearanceText(letters, texts) { Warnings = warnings };
    }

    /// <summary>An annotation as a warning names it: its object number, subtype and field name, as far as they are known.</summary>
    private string Describe(IToken item, DictionaryToken annotation)
    {
        var name = item is IndirectReferenceToken reference ? $"annotation {reference.Data.ObjectNumber} {reference.Data.Generation} R" : "an annotation";
        var subtype = Resolve(annotation.Data.GetValueOrDefault(SubtypeName.Data)) is NameToken { Data: var type } ? type : null;
        var field = Resolve(annotation.Data.GetValueOrDefault(FieldNameName.Data)) is StringToken { Data: var title } && title.Length > 0 ? PdfText.CleanTextString(title) : null;
        return (subtype, field) switch
        {
            (null, null) => name,
            (_, null) => $"{name} ({subtype})",
            (null, _) => $"{name} (field '{field}')",
            _ => $"{name} ({subtype}, field '{field}')",
        };
    }

    /// <summary>
    /// The normal appearance of a displayed annotation (the one its /AS state names, when it has states) and the matrix that
    /// places it on the page; <see langword="null"/> when there is none to draw.
    /// </summary>
    private (StreamToken Stream, TransformationMatrix Placement, PdfRectangle Rect, long Size)? Appearance(DictionaryToken annotation)
    {
        if (Resolve(annotation.Data.GetValueOrDefault(SubtypeName.Data)) is NameToken { Data: "Popup" }
            || (Resolve(annotation.Data.GetValueOrDefault(FlagsName.Data)) is NumericToken flags && (flags.Int & HiddenOrNoView) != 0)
            || Resolve(annotation.Data.GetValueOrDefault(AppearanceName.Data)) is not DictionaryToken appearances
            || Rectangle(annotation.Data.GetValueOrDefault(RectName.Data)) is not { } rect)
        {
            return null;
        }

        var normal = Resolve(appearances.Data.GetValueOrDefault(NormalName.Data));
        if (normal is DictionaryToken states)
        {
            normal = Resolve(annotation.Data.GetValueOrDefault(StateName.Data)) is NameToken state ? Resolve(states.Data.GetValueOrDefault(state.Data)) : null;
        }

        if (normal is not StreamToken stream || DecodedSize(stream) is not { } size || Rectangle(stream.StreamDictionary.Data.GetValueOrDefault(BBoxName.Data)) is not { } box)
        {
            return null;
        }

        // PDF 32000-1, 12.5.5: the form's bounding box, transformed by its matrix, is fitted into the annotation's rectangle.
        var matrix = Resolve(stream.StreamDictionary.Data.GetValueOrDefault(MatrixName.Data)) is ArrayToken { Length: 6 } m && m.Data.All(v => Resolve(v) is NumericToken)
            ? TransformationMatrix.FromArray([.. m.Data.Select(v => ((NumericToken)Resolve(v)!).Double)])
            : TransformationMatrix.Identity;
        var corners = new[] { matrix.Transform(new PdfPoint(box.Left, box.Bottom)), matrix.Transform(new PdfPoint(box.Right, box.Bottom)), matrix.Transform(new PdfPoint(box.Left, box.Top)), matrix.Transform(new PdfPoint(box.Right, box.Top)) };
        double left = corners.Min(p => p.X), right = corners.Max(p => p.X), bottom = corners.Min(p => p.Y), top = corners.Max(p => p.Y);
        if (right - left < 1e-6 || top - bottom < 1e-6)
        {
            return null;
        }

        var scaleX = (rect.Right - rect.Left) / (right - left);
        var scaleY = (rect.Top - rect.Bottom) / (top - bottom);
        return (stream, TransformationMatrix.FromValues(scaleX, 0, 0, scaleY, rect.Left - (left * scaleX), rect.Bottom - (bottom * scaleY)), rect, size);
    }

    /// <summary>Whether a glyph's centre lies within the area (a rectangle transformed onto the page), with a point to spare.</summary>
    private static bool Inside(Letter letter, PdfRectangle area)
    {
        var points = new[] { area.BottomLeft, area.BottomRight, area.TopLeft, area.TopRight };
        var centre = letter.BoundingBox.Centroid;
        return centre.X >= points.Min(p => p.X) - 1 && centre.X <= points.Max(p => p.X) + 1
            && centre.Y >= points.Min(p => p.Y) - 1 && centre.Y <= points.Max(p => p.Y) + 1;
    }

    /// <summary>
    /// The size of a stream's content, decoded, when it is small enough to draw through filters that cannot explode (Flate is
    /// inflated here under a cap first; the ASCII filters shrink); <see langword="null"/> otherwise.
    /// </summary>
    private static long? DecodedSize(StreamToken stream)
    {
        if (stream.Data.Length > MaxEncodedBytes)
        {
            return null;
        }

        var filter = stream.StreamDictionary.Data.GetValueOrDefault(FilterName.Data);
        return filter switch
        {
            null => stream.Data.Length,
            NameToken { Data: "ASCIIHexDecode" or "AHx" or "ASCII85Decode" or "A85" } => stream.Data.Length,
            _ when PdfNestingGuard.IsFlate(filter) => PdfNestingGuard.Inflate(stream.Data.ToArray(), MaxDecodedBytes)?.LongLength,
            _ => null,
        };
    }

    /// <summary>A rectangle given as four numbers, normalised; <see langword="null"/> when it is anything else.</summary>
    private PdfRectangle? Rectangle(IToken? token)
    {
        if (Resolve(token) is not ArrayToken { Length: 4 } array)
        {
            return null;
        }

        var values = array.Data.Select(v => Resolve(v) is NumericToken n ? n.Double : double.NaN).ToArray();
        if (values.Any(v => !double.IsFinite(v)))
        {
            return null;
        }

        return new PdfRectangle(Math.Min(values[0], values[2]), Math.Min(values[1], values[3]), Math.Max(values[0], values[2]), Math.Max(values[1], values[3]));
    }

    private IToken? Resolve(IToken? token) => PdfNestingGuard.Resolve(PdfScanner, token);
}

using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Geometry;
using UglyToad.PdfPig.Graphics;
using UglyToad.PdfPig.Graphics.Operations;
using UglyToad.PdfPig.Parser;
using UglyToad.PdfPig.PdfFonts;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Draws one annotation appearance stream through PdfPig's content-stream interpreter (text state, fonts with their encodings and
/// ToUnicode maps, nested forms) and keeps only the glyphs, as PdfPig's page processor makes them; paths, images and clipping are
/// ignored.
/// </summary>
internal sealed class PdfAppearanceProcessor(
    int pageNumber,
    IResourceStore resourceStore,
    IPdfTokenScanner pdfScanner,
    IPageContentParser pageContentParser,
    ILookupFilterProvider filterProvider,
    CropBox cropBox,
    UserSpaceUnit userSpaceUnit,
    PageRotationDegrees rotation,
    in TransformationMatrix initialMatrix,
    ParsingOptions parsingOptions,
    int maxLetters)
    : BaseStreamProcessor<List<Letter>>(pageNumber, resourceStore, pdfScanner, pageContentParser, filterProvider, cropBox, userSpaceUnit, rotation, initialMatrix, parsingOptions)
{
    private static readonly NameToken AppearanceName = NameToken.Create("QwenAppearance");

    private readonly List<Letter> _letters = [];

    /// <summary>The glyphs of the appearance stream, drawn as a form XObject under the initial matrix (its /Matrix and /Resources apply).</summary>
    public List<Letter> Draw(StreamToken appearance)
    {
        ProcessFormXObject(appearance, AppearanceName);
        return _letters;
    }

    /// <inheritdoc/>
    public override List<Letter> Process(int pageNumberCurrent, IReadOnlyList<IGraphicsStateOperation> operations)
    {
        ProcessOperations(operations);
        return _letters;
    }

    /// <inheritdoc/>
    public override void RenderGlyph(IFont font, CurrentGraphicsState currentState, double effectiveFontSize, double pointSize, int code, string unicode,
        long currentOffset, in TransformationMatrix renderingMatrix, in TransformationMatrix textMatrix, in TransformationMatrix transformationMatrix,
        CharacterBoundingBox characterBoundingBox)
    {
        if (_letters.Count >= maxLetters)
        {
            return;
        }

        // As PdfPig's own page processor places a glyph: its box, its advance on the baseline, its loose box from the font's ascent
        // and descent.
        var toPage = renderingMatrix.Multiply(textMatrix).Multiply(transformationMatrix);
        var glyph = toPage.Transform(characterBoundingBox.GlyphBounds);
        var advance = toPage.Transform(new PdfRectangle(0, 0, characterBoundingBox.Width, UserSpaceUnit.PointMultiples));
        var loose = toPage.Transform(new PdfRectangle(0, font.GetDescent(), characterBoundingBox.Width, font.GetAscent()));
        var valid = glyph.Width > double.Epsilon || glyph.Height > double.Epsilon;
        _letters.Add(new Letter(unicode, valid ? glyph : advance, loose, advance.BottomLeft, advance.BottomRight, advance.Width, effectiveFontSize, font,
            currentState.FontState.TextRenderingMode, currentState.CurrentStrokingColor, currentState.CurrentNonStrokingColor, pointSize, TextSequence));
    }

    /// <inheritdoc/>
    protected override void RenderXObjectImage(XObjectContentRecord xObjectContentRecord)
    {
    }

    /// <inheritdoc/>
    public override void BeginSubpath()
    {
    }

    /// <inheritdoc/>
    public override PdfPoint? CloseSubpath() => null;

    /// <inheritdoc/>
    public override void StrokePath(bool close)
    {
    }

    /// <inheritdoc/>
    public override void FillPath(FillingRule fillingRule, bool close)
    {
    }

    /// <inheritdoc/>
    public override void FillStrokePath(FillingRule fillingRule, bool close)
    {
    }

    /// <inheritdoc/>
    public override void MoveTo(double x, double y)
    {
    }

    /// <inheritdoc/>
    public override void BezierCurveTo(double x2, double y2, double x3, double y3)
    {
    }

    /// <inheritdoc/>
    public override void BezierCurveTo(double x1, double y1, double x2, double y2, double x3, double y3)
    {
    }

    /// <inheritdoc/>
    public override void LineTo(double x, double y)
    {
    }

    /// <inheritdoc/>
    public override void Rectangle(double x, double y, double width, double height)
    {
    }

    /// <inheritdoc/>
    public override void EndPath()
    {
    }

    /// <inheritdoc/>
    public override void ClosePath()
    {
    }

    /// <inheritdoc/>
    public override void ModifyClippingIntersect(FillingRule clippingRule)
    {
    }

    /// <inheritdoc/>
    protected override void ClipToRectangle(PdfRectangle rectangle, FillingRule clippingRule)
    {
    }

    /// <inheritdoc/>
    protected override void RenderInlineImage(InlineImage inlineImage)
    {
    }

    /// <inheritdoc/>
    public override void BeginMarkedContent(NameToken name, NameToken? propertyDictionaryName, DictionaryToken? properties)
    {
    }

    /// <inheritdoc/>
    public override void EndMarkedContent()
    {
    }

    /// <inheritdoc/>
    public override void PaintShading(NameToken shading)
    {
    }
}

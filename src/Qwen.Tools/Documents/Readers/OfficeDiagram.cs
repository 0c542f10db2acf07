using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using A = DocumentFormat.OpenXml.Drawing;
using Dgm = DocumentFormat.OpenXml.Drawing.Diagrams;

namespace Qwen.Tools;

/// <summary>
/// SmartArt diagrams in Word documents and slides: the text a diagram shows is kept in its data part (the drawing part holds
/// the same text laid out in shapes), so the page or slide that shows it holds only a reference.
/// </summary>
internal static class OfficeDiagram
{
    /// <summary>
    /// The text of each node of the diagram that <paramref name="ids"/> names, in the order of its data model; empty when the
    /// data part is missing or was already read (each diagram's text is read once per document, however often it is shown).
    /// </summary>
    public static List<string> NodeTexts(Dgm.RelationshipIds ids, HashSet<OpenXmlPart> read)
    {
        var container = ids.Ancestors<OpenXmlPartRootElement>().FirstOrDefault()?.OpenXmlPart;
        if (ids.DataPart?.Value is not { } id || container is null || !container.TryGetPartById(id, out var part)
            || part is not DiagramDataPart data || !read.Add(data))
        {
            return [];
        }

        var nodes = new List<string>();
        foreach (var point in data.DataModelRoot?.PointList?.Elements<Dgm.Point>() ?? [])
        {
            var type = point.Type?.Value;
            if (type is not null && type != Dgm.PointValues.Node && type != Dgm.PointValues.Assistant)
            {
                continue;
            }

            var lines = point.TextBody?.Elements<A.Paragraph>()
                .Select(p => string.Concat(p.Descendants<A.Text>().Select(t => t.Text)).Trim())
                .Where(l => l.Length > 0) ?? [];
            var text = string.Join(' ', lines);
            if (text.Length > 0)
            {
                nodes.Add(text);
            }
        }

        return nodes;
    }
}

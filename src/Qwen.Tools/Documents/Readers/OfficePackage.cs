using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Xml;
using System.Xml.Linq;
using DocumentFormat.OpenXml.Packaging;

namespace Qwen.Tools;

/// <summary>
/// Opens Office Open XML packages (DOCX, PPTX, XLSX) safely: the zip's central directory is checked first (entry count, declared
/// sizes, compression ratios) so a zip bomb is refused before OpenXml reads it. Declared sizes can be trusted because
/// <see cref="ZipArchive"/> never inflates an entry beyond the size its header declares.
/// </summary>
internal static class OfficePackage
{
    private const int MaxEntries = 10_000;
    private const long RatioCheckThreshold = 1024 * 1024;

    /// <summary>
    /// Element nesting deeper than any Office application writes (Word's deepest, tables nested in tables in text boxes, stay
    /// well under 100). The OpenXml SDK builds and the readers walk elements recursively: 20,000 nested elements, a 3 KB
    /// file, ended the process with a stack overflow, which no catch can stop.
    /// </summary>
    private const int MaxXmlDepth = 512;

    /// <summary>Content-types and relationships parts larger than this are left as they are (real ones are a few kilobytes).</summary>
    private const long MaxRepairedPartBytes = 4 * 1024 * 1024;

    private static ReadOnlySpan<byte> OleSignature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private const string ContentTypesName = "[Content_Types].xml";

    private static readonly XNamespace ContentTypesNamespace = "http://schemas.openxmlformats.org/package/2006/content-types";

    /// <summary>Checks the package and opens it with <paramref name="open"/>, turning package errors into <see cref="DocumentParseException"/>.</summary>
    public static T Open<T>(
        ReadOnlyMemory<byte> content,
        string fileName,
        string kind,
        DocumentParserOptions options,
        Func<Stream, OpenSettings, T> open)
        where T : IDisposable
    {
        Check(content, fileName, kind, options);
        var settings = new OpenSettings { AutoSave = false, MaxCharactersInPart = options.MaxUncompressedBytes };
        var repaired = Repaired(content, options);
        var stream = repaired is null ? AsStream(content) : new MemoryStream(repaired, writable: false);
        try
        {
            return open(stream, settings);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException or InvalidOperationException or ArgumentException)
        {
            stream.Dispose();
            throw new DocumentParseException(fileName, $"not a valid {kind} file ({e.Message}).", e);
        }
    }

    /// <summary>
    /// What a reader found, titled by the package's core properties or, when they have no title, by <paramref name="fallbackTitle"/>.
    /// Core properties that System.IO.Packaging refuses (a second core-properties part, a date of another type, an attribute
    /// OPC forbids) cost only the title, with a warning: Office and the python readers open such files.
    /// </summary>
    public static DocumentContent Content(OpenXmlPackage package, IReadOnlyList<DocumentPage> pages, string? fallbackTitle)
    {
        string? title;
        string[] warnings = [];
        try
        {
            title = package.PackageProperties.Title;
        }
        catch (Exception e) when (e is XmlException or FileFormatException)
        {
            title = null;
            warnings = [$"The document's properties (title, author) could not be read and were left out: {e.Message}"];
        }

        return new DocumentContent(string.IsNullOrWhiteSpace(title) ? (string.IsNullOrWhiteSpace(fallbackTitle) ? null : fallbackTitle) : title, pages)
        {
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The package rewritten where System.IO.Packaging would refuse what Office, LibreOffice and the python readers accept;
    /// <see langword="null"/> when nothing needs repair. Three defects of real files are repaired: a part stored twice (a
    /// duplicated core-properties part is common; the first copy is kept), a content-types part written with a namespace prefix
    /// (<c>&lt;ns0:Types&gt;</c>, as old openpyxl versions wrote it), and overrides or relationships naming parts the package
    /// does not hold (dropped, as the readers that accept the file ignore them).
    /// </summary>
    private static byte[]? Repaired(ReadOnlyMemory<byte> content, DocumentParserOptions options)
    {
        try
        {
            using var zip = new ZipArchive(AsStream(content), ZipArchiveMode.Read);
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var entries = zip.Entries.Where(e => names.Add(PartName(e))).ToList();
            var replaced = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in entries)
            {
                if (entry.Length > MaxRepairedPartBytes)
                {
                    continue;
                }

                var name = PartName(entry);
                var fixedPart = name.Equals(ContentTypesName, StringComparison.OrdinalIgnoreCase)
                    ? RepairedContentTypes(entry, names)
                    : name.EndsWith(".rels", StringComparison.OrdinalIgnoreCase) ? RepairedRelationships(entry, name, names) : null;
                if (fixedPart is not null)
                {
                    replaced[name] = fixedPart;
                }
            }

            if (entries.Count == zip.Entries.Count && replaced.Count == 0 && entries.All(e => PartName(e) == e.FullName))
            {
                return null;
            }

            var output = new MemoryStream();
            using (var rewritten = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var entry in entries)
                {
                    using var to = rewritten.CreateEntry(PartName(entry), CompressionLevel.Fastest).Open();
                    if (replaced.TryGetValue(PartName(entry), out var part))
                    {
                        to.Write(part);
                    }
                    else if (!IsReadAsXml(entry.FullName) && IsOverRatio(entry, options))
                    {
                        // A picture or embedded file compressed past the bomb ratio is never read; it is not inflated here
                        // either, and stays in the package empty.
                    }
                    else
                    {
                        using var from = entry.Open();
                        from.CopyTo(to);
                    }
                }
            }

            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or XmlException or IOException)
        {
            // Not repairable here: the open that follows says what is wrong with the package.
            return null;
        }
    }

    /// <summary>An entry's name as a part name: with '/' where a Windows zip tool wrote '\\', and the content-types part spelled as
    /// System.IO.Packaging looks for it.</summary>
    private static string PartName(ZipArchiveEntry entry)
    {
        var name = entry.FullName.Replace('\\', '/');
        return name.Equals(ContentTypesName, StringComparison.OrdinalIgnoreCase) ? ContentTypesName : name;
    }

    /// <summary>The content-types part in the namespace System.IO.Packaging expects, without overrides of missing parts and with
    /// each override spelled as its part's entry;
    /// <see langword="null"/> when it is fine as it is.</summary>
    private static byte[]? RepairedContentTypes(ZipArchiveEntry entry, HashSet<string> names)
    {
        var document = Load(entry);
        if (document.Root is null || document.Root.Name.LocalName != "Types")
        {
            return null;
        }

        var changed = document.Root.Name != ContentTypesNamespace + "Types" || document.Root.Attributes().Any(a => a.IsNamespaceDeclaration && a.Name.Namespace == XNamespace.Xmlns);
        var types = new XElement(ContentTypesNamespace + "Types");
        foreach (var element in document.Root.Elements())
        {
            var copy = new XElement(ContentTypesNamespace + element.Name.LocalName, element.Attributes().Where(a => !a.IsNamespaceDeclaration));
            if (element.Name.LocalName == "Override" && element.Attribute("PartName")?.Value is { } partName)
            {
                if (!names.TryGetValue(partName.TrimStart('/'), out var stored))
                {
                    changed = true;
                    continue;
                }

                // Part names are case-insensitive, but System.IO.Packaging matches an override only when it is spelled as the
                // entry is ("/xl/sharedStrings.xml" for "xl/sharedstrings.xml").
                if (partName.TrimStart('/') != stored)
                {
                    copy.SetAttributeValue("PartName", "/" + stored);
                    changed = true;
                }
            }

            types.Add(copy);
        }

        return changed ? Save(types) : null;
    }

    /// <summary>A relationships part without the internal relationships whose target part is missing, and without
    /// relationships that lack an id, a type or a target; <see langword="null"/> when every relationship is whole.</summary>
    private static byte[]? RepairedRelationships(ZipArchiveEntry entry, string name, HashSet<string> names)
    {
        var document = Load(entry);
        if (document.Root is null)
        {
            return null;
        }

        // "word/_rels/document.xml.rels" describes "word/document.xml": its relative targets start from "word/".
        var folder = name.Contains("_rels/", StringComparison.Ordinal) ? name[..name.LastIndexOf("_rels/", StringComparison.Ordinal)] : string.Empty;
        var missing = document.Root.Elements()
            .Where(r => r.Name.LocalName == "Relationship"
                && (r.Attribute("Id") is null || r.Attribute("Type") is null || r.Attribute("Target") is not { } target
                    || (!string.Equals(r.Attribute("TargetMode")?.Value, "External", StringComparison.OrdinalIgnoreCase)
                        && target.Value.Length > 0
                        && !target.Value.Contains(':', StringComparison.Ordinal)
                        && !names.Contains(Resolve(folder, target.Value)))))
            .ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        missing.ForEach(r => r.Remove());
        return Save(document.Root);
    }

    /// <summary>A relationship target as a package entry name: relative to the source part's folder, or absolute with '/'.</summary>
    private static string Resolve(string folder, string target)
    {
        var path = Uri.UnescapeDataString(target.Split('#')[0]);
        var parts = new List<string>();
        foreach (var segment in (path.StartsWith('/') ? path : folder + path).Split('/'))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (segment.Length > 0 && segment != ".")
            {
                parts.Add(segment);
            }
        }

        return string.Join('/', parts);
    }

    private static XDocument Load(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        return XDocument.Load(reader);
    }

    private static byte[] Save(XElement root)
    {
        using var output = new MemoryStream();
        new XDocument(new XDeclaration("1.0", "utf-8", "yes"), root).Save(output, SaveOptions.DisableFormatting);
        return output.ToArray();
    }

    /// <summary>Refuses archives that are not zips or that would expand beyond the limits.</summary>
    public static void Check(ReadOnlyMemory<byte> content, string fileName, string kind, DocumentParserOptions options)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(AsStream(content), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            // Office saves a password-protected DOCX/XLSX/PPTX as an OLE compound file holding the encrypted package; the legacy
            // binary formats are OLE files too. Either way the bytes say more than "not a zip".
            throw new DocumentParseException(
                fileName,
                content.Span.StartsWith(OleSignature)
                    ? $"not a readable {kind} file: it is an OLE compound file, not a zip package: a password-protected (encrypted) Office document, or a legacy binary Office file (.doc, .xls, .ppt) under a new extension."
                    : $"not a valid {kind} file: it is not a zip package ({e.Message}).",
                e);
        }

        using (zip)
        {
            if (zip.Entries.Count > MaxEntries)
            {
                throw new DocumentParseException(fileName, $"the package holds {zip.Entries.Count:N0} entries, more than the {MaxEntries:N0} allowed.");
            }

            long declaredTotal = 0;
            foreach (var entry in zip.Entries)
            {
                declaredTotal += entry.Length;
                if (declaredTotal > options.MaxUncompressedBytes)
                {
                    throw Bomb(fileName, $"it would expand to more than {options.MaxUncompressedBytes:N0} bytes");
                }

                // Only the XML parts are ever inflated (the readers take text, never media or embedded files), so only they can
                // be a bomb; a 1.4 MB mostly blank EMF picture compressed 667 to 1 is a real slide's, and is never read.
                if (IsReadAsXml(entry.FullName) && IsOverRatio(entry, options))
                {
                    throw Bomb(fileName, $"the part '{entry.FullName}' is compressed {entry.Length / entry.CompressedLength:N0} to 1, more than the {options.MaxCompressionRatio:N0} to 1 allowed");
                }
            }

            foreach (var entry in zip.Entries)
            {
                if (IsReadAsXml(entry.FullName) && IsNestedTooDeep(entry))
                {
                    throw new DocumentParseException(
                        fileName,
                        $"the part '{entry.FullName}' nests XML elements more than {MaxXmlDepth} deep, far past what Office applications write; it is refused rather than read.");
                }
            }
        }
    }

    /// <summary>Whether a part's elements nest deeper than <see cref="MaxXmlDepth"/>, found by a streaming read that does not recurse.</summary>
    private static bool IsNestedTooDeep(ZipArchiveEntry entry)
    {
        try
        {
            using var stream = entry.Open();
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth > MaxXmlDepth)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            // Malformed XML or a damaged entry: the reader that opens the part says what is wrong with it.
        }

        return false;
    }

    private static bool IsOverRatio(ZipArchiveEntry entry, DocumentParserOptions options) =>
        entry.Length > RatioCheckThreshold && entry.CompressedLength > 0 && entry.Length / (double)entry.CompressedLength > options.MaxCompressionRatio;

    /// <summary>Whether a part is one the readers inflate: XML, relationships and VML drawings (and anything without an extension).</summary>
    private static bool IsReadAsXml(string name)
    {
        var extension = Path.GetExtension(name);
        return extension.Length == 0 || extension.Equals(".xml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".rels", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".vml", StringComparison.OrdinalIgnoreCase);
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private static DocumentParseException Bomb(string fileName, string detail) =>
        new(fileName, $"refused as a possible zip bomb: {detail} (see {nameof(DocumentParserOptions)}.{nameof(DocumentParserOptions.MaxUncompressedBytes)} and {nameof(DocumentParserOptions.MaxCompressionRatio)}).");
}

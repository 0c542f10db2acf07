using System.IO.Compression;
using System.Runtime.InteropServices;
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
        var stream = AsStream(content);
        try
        {
            return open(stream, settings);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException or InvalidOperationException or ArgumentException)
        {
            stream.Dispose();

            // Some writers store a part twice (a duplicated core-properties part is common); System.IO.Packaging refuses the
            // whole package. Word, LibreOffice and python-docx read the first copy, and so do we.
            if (WithoutDuplicateEntries(content) is { } deduplicated)
            {
                var retry = new MemoryStream(deduplicated, writable: false);
                try
                {
                    return open(retry, settings);
                }
                catch (Exception again) when (again is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException or InvalidOperationException or ArgumentException)
                {
                    retry.Dispose();
                }
            }

            throw new DocumentParseException(fileName, $"not a valid {kind} file ({e.Message}).", e);
        }
    }

    /// <summary>The package rewritten with the first copy of each part only; <see langword="null"/> when no part is repeated.</summary>
    private static byte[]? WithoutDuplicateEntries(ReadOnlyMemory<byte> content)
    {
        try
        {
            using var zip = new ZipArchive(AsStream(content), ZipArchiveMode.Read);
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (zip.Entries.All(e => names.Add(e.FullName)))
            {
                return null;
            }

            names.Clear();
            var output = new MemoryStream();
            using (var rewritten = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var entry in zip.Entries.Where(e => names.Add(e.FullName)))
                {
                    using var from = entry.Open();
                    using var to = rewritten.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
                    from.CopyTo(to);
                }
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
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
            throw new DocumentParseException(fileName, $"not a valid {kind} file: it is not a zip package ({e.Message}).", e);
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

                if (entry.Length > RatioCheckThreshold && entry.CompressedLength > 0
                    && entry.Length / (double)entry.CompressedLength > options.MaxCompressionRatio)
                {
                    throw Bomb(fileName, $"the part '{entry.FullName}' is compressed {entry.Length / entry.CompressedLength:N0} to 1, more than the {options.MaxCompressionRatio:N0} to 1 allowed");
                }
            }
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private static DocumentParseException Bomb(string fileName, string detail) =>
        new(fileName, $"refused as a possible zip bomb: {detail} (see {nameof(DocumentParserOptions)}.{nameof(DocumentParserOptions.MaxUncompressedBytes)} and {nameof(DocumentParserOptions.MaxCompressionRatio)}).");
}

using System.Globalization;
using System.Text;

namespace Qwen.Tools;

/// <summary>
/// The one CSV/TSV parser (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, any line ending), shared by the
/// document reader (<see cref="DelimitedTextReader"/>) and the code interpreter's <c>parseCsv</c>/<c>readCsv</c>.
/// </summary>
internal static class CsvParser
{
    /// <summary>Splits <paramref name="text"/> into records of fields; a line with no field and no delimiter is skipped.</summary>
    /// <exception cref="FormatException">A quoted field is never closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static List<string[]> Parse(string text, char delimiter, CancellationToken cancellationToken = default)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var line = 1;
        var quoted = false;
        var quoteLine = 0;
        var recordHasContent = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }

                continue;
            }

            if (c == '"' && field.Length == 0)
            {
                quoted = true;
                quoteLine = line;
                recordHasContent = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                recordHasContent = true;
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                line++;
                EndRecord();
            }
            else
            {
                field.Append(c);
                recordHasContent = true;
            }
        }

        if (quoted)
        {
            throw new FormatException($"a quoted field that starts on line {quoteLine} is never closed");
        }

        EndRecord();
        return records;

        void EndRecord()
        {
            if (recordHasContent || field.Length > 0)
            {
                fields.Add(field.ToString());
                records.Add([.. fields]);
                if (records.Count % 4096 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            fields.Clear();
            field.Clear();
            recordHasContent = false;
        }
    }

    /// <summary>Column names from a header record, made usable as keys the way pandas does: blank ones become <c>Unnamed: i</c>, repeats get <c>.1</c>, <c>.2</c>.</summary>
    public static string[] ColumnNames(string[] header)
    {
        var names = new string[header.Length];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim();
            if (name.Length == 0)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"Unnamed: {i}");
            }

            var unique = name;
            for (var n = 1; !seen.Add(unique); n++)
            {
                unique = string.Create(CultureInfo.InvariantCulture, $"{name}.{n}");
            }

            names[i] = unique;
        }

        return names;
    }

    /// <summary>Whether a field is a plain number (<c>12</c>, <c>-3.5</c>, <c>1e6</c>), as opposed to text that merely starts like one.</summary>
    public static bool TryNumber(string field, out double value)
    {
        value = 0;
        return field.Length > 0
            && (char.IsAsciiDigit(field[0]) || field[0] is '-' or '+' or '.')
            && double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}

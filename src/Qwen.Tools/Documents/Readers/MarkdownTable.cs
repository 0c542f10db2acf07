using System.Text;

namespace Qwen.Tools;

/// <summary>Renders rows of cells as a Markdown table (first row as header), the form tables take in parsed documents.</summary>
internal static class MarkdownTable
{
    /// <summary>
    /// Renders <paramref name="rows"/>; empty trailing columns are dropped. The header row is padded to the table's width; the
    /// other rows end at their last non-empty cell, as GitHub-flavoured Markdown fills a short row with empty cells. (Padding
    /// every row to the widest made one far-right cell multiply a table's size by its row count.)
    /// </summary>
    public static string Render(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var width = 0;
        foreach (var row in rows)
        {
            width = Math.Max(width, LastFilled(row) + 1);
        }

        if (width == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            AppendRow(builder, rows[r], r == 0 ? width : Math.Max(1, Math.Min(width, LastFilled(rows[r]) + 1)));
            if (r == 0)
            {
                builder.Append('|');
                for (var c = 0; c < width; c++)
                {
                    builder.Append(" --- |");
                }

                builder.Append('\n');
            }
        }

        return builder.ToString().TrimEnd('\n');
    }

    /// <summary>Returns the number of leading lines that form the header of a table rendered by <see cref="Render"/> (header and rule).</summary>
    public static int HeaderLineCount(string table)
    {
        var lines = table.Split('\n', 3);
        return lines.Length >= 2 && lines[1].StartsWith("| ---", StringComparison.Ordinal) ? 2 : 0;
    }

    private static int LastFilled(IReadOnlyList<string> row)
    {
        for (var i = row.Count - 1; i >= 0; i--)
        {
            if (!string.IsNullOrWhiteSpace(row[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void AppendRow(StringBuilder builder, IReadOnlyList<string> row, int width)
    {
        builder.Append('|');
        for (var c = 0; c < width; c++)
        {
            var cell = c < row.Count ? row[c] : string.Empty;
            builder.Append(' ').Append(Escape(cell)).Append(" |");
        }

        builder.Append('\n');
    }

    private static string Escape(string cell) =>
        cell.Replace("\r\n", " ", StringComparison.Ordinal)
            .Replace('\n', ' ')
            .Replace('\r', ' ')
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Trim();
}

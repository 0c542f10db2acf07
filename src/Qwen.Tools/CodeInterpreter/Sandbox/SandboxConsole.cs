using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime.Descriptors;

namespace Qwen.Tools;

/// <summary>The sandbox's output functions: <c>print</c>, <c>console.log</c> (and its siblings) and <c>console.table</c>.</summary>
internal static class SandboxConsole
{
    private const int MaxTableRows = 200;
    private const int MaxCellChars = 40;

    public static void Install(SandboxContext context)
    {
        var global = context.Engine.Global;
        context.Define(global, "print", 0, (_, args) => Log(context, args));
        var console = new JsObject(context.Engine);
        foreach (var name in new[] { "log", "info", "debug", "warn", "error" })
        {
            context.Define(console, name, 0, (_, args) => Log(context, args));
        }

        context.Define(console, "table", 1, (_, args) => Table(context, args));
        global.FastSetProperty("console", new PropertyDescriptor(console, writable: true, enumerable: false, configurable: true));
    }

    private static JsValue Log(SandboxContext context, JsValue[] args)
    {
        var output = context.Output;
        var line = new StringBuilder();
        foreach (var arg in args)
        {
            var separator = line.Length > 0 ? 1 : 0;
            if (output.Remaining <= line.Length)
            {
                // Past the limit nothing more is shown: count what is dropped without formatting a possibly huge structure in full.
                output.Omit(separator + (arg.IsString() ? arg.AsString().Length : JsValueFormatter.Format(arg, quoteStrings: false, budget: 200).Length));
                continue;
            }

            line.Append(' ', separator);
            var room = Math.Max(output.Remaining - line.Length, 0);
            if (arg is JsString text && text.Length > room)
            {
                // Copy only what can be shown of a long string.
                line.Append(text.ToString(), 0, room);
                output.Omit(text.Length - room);
                continue;
            }

            line.Append(JsValueFormatter.Format(arg, quoteStrings: false, budget: room));
        }

        output.AppendLine(line.ToString());
        return JsValue.Undefined;
    }

    private static JsValue Table(SandboxContext context, JsValue[] args)
    {
        var (rows, total) = SandboxArguments.ReadArray(context.Engine, args.At(0), "console.table", "data", SandboxContext.MaxArrayLength, take: MaxTableRows);
        var columns = new List<string>();
        var cells = new List<Dictionary<string, string>>();
        foreach (var row in rows)
        {
            var cellsOfRow = new Dictionary<string, string>(StringComparer.Ordinal);
            if (row is ObjectInstance record and not JsArray)
            {
                foreach (var (key, descriptor) in record.GetOwnProperties())
                {
                    if (!descriptor.Enumerable || key.IsSymbol() || !descriptor.IsDataDescriptor())
                    {
                        continue;
                    }

                    var name = key.ToString();
                    if (!columns.Contains(name))
                    {
                        columns.Add(name);
                    }

                    cellsOfRow[name] = Cell(descriptor.Value);
                }
            }
            else if (row is JsArray array)
            {
                for (uint i = 0; i < array.Length; i++)
                {
                    var name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (!columns.Contains(name))
                    {
                        columns.Add(name);
                    }

                    cellsOfRow[name] = array.TryGetValue(i, out var item) ? Cell(item) : string.Empty;
                }
            }
            else
            {
                if (!columns.Contains("Values"))
                {
                    columns.Add("Values");
                }

                cellsOfRow["Values"] = Cell(row);
            }

            cells.Add(cellsOfRow);
        }

        var header = new[] { "(index)" }.Concat(columns).ToArray();
        var body = cells.Select((row, index) => new[] { index.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Concat(columns.Select(c => row.GetValueOrDefault(c, string.Empty))).ToArray()).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, body.Count == 0 ? 0 : body.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        AppendRow(text, header, widths);
        text.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in body)
        {
            AppendRow(text, row, widths);
        }

        if (total > (ulong)rows.Count)
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"... {total - (ulong)rows.Count} more rows");
        }

        context.Output.Append(text.ToString());
        return JsValue.Undefined;
    }

    private static string Cell(JsValue value)
    {
        var text = JsValueFormatter.Format(value, quoteStrings: false, budget: MaxCellChars).ReplaceLineEndings(" ");
        return text.Length <= MaxCellChars ? text : text[..(MaxCellChars - 1)] + "…";
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(i == 0 ? string.Empty : " | ").Append(cells[i].PadRight(widths[i]));
        }

        text.Append('\n');
    }
}

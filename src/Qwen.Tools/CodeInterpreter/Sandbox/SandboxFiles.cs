using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;

namespace Qwen.Tools;

/// <summary>
/// The sandbox's file helpers, confined to the session's work directory: <c>readText</c>, <c>readJson</c>,
/// <c>readCsv</c>, <c>parseCsv</c>, <c>listFiles</c>, <c>writeText</c>, <c>writeJson</c>.
/// </summary>
internal static class SandboxFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void Install(SandboxContext context)
    {
        var global = context.Engine.Global;
        context.Define(global, "readText", 1, (_, args) => ReadText(context, "readText", args));
        context.Define(global, "readJson", 1, (_, args) => new JsonParser(context.Engine).Parse(ReadText(context, "readJson", args)));
        context.Define(global, "readCsv", 1, (_, args) =>
        {
            var path = SandboxArguments.RequireString(context.Engine, args, 0, "readCsv", "path");
            var text = ReadText(context, "readCsv", args);
            var defaultDelimiter = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
            return Csv(context, "readCsv", text, SandboxArguments.OptionalObject(context.Engine, args, 1, "readCsv", "options"), defaultDelimiter);
        });
        context.Define(global, "parseCsv", 1, (_, args) => Csv(
            context,
            "parseCsv",
            SandboxArguments.RequireString(context.Engine, args, 0, "parseCsv", "text"),
            SandboxArguments.OptionalObject(context.Engine, args, 1, "parseCsv", "options"),
            ','));
        context.Define(global, "listFiles", 0, (_, args) => ListFiles(context, args));
        context.Define(global, "writeText", 2, (_, args) =>
        {
            var value = args.At(1);
            var text = value.IsString() ? value.AsString() : throw SandboxErrors.Type(context.Engine, $"writeText: argument 'text' must be a string; got {SandboxArguments.Describe(value)}.");
            return Write(context, "writeText", args, text);
        });
        context.Define(global, "writeJson", 2, (_, args) =>
        {
            var space = args.At(2).IsUndefined() ? 2 : args.At(2);
            var json = new JsonSerializer(context.Engine).Serialize(args.At(1), JsValue.Undefined, space);
            if (json.IsUndefined())
            {
                throw SandboxErrors.Type(context.Engine, "writeJson: the value cannot be written as JSON (it is undefined or a function).");
            }

            return Write(context, "writeJson", args, json.AsString());
        });
    }

    private static string ReadText(SandboxContext context, string function, JsValue[] args)
    {
        var path = SandboxArguments.RequireString(context.Engine, args, 0, function, "path");
        var full = Resolve(context, function, path);
        var info = new FileInfo(full);
        if (!info.Exists)
        {
            var known = Directory.Exists(context.Files.Root)
                ? string.Join(", ", Directory.EnumerateFileSystemEntries(context.Files.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(20))
                : string.Empty;
            throw SandboxErrors.Error(context.Engine, $"{function}: there is no file '{path}' in the work directory" + (known.Length > 0 ? $" (it has: {known})." : " (it is empty)."));
        }

        if (info.Length > context.Settings.MaxFileBytes)
        {
            throw SandboxErrors.Range(context.Engine, $"{function}: '{path}' has {info.Length} bytes; files of at most {context.Settings.MaxFileBytes} bytes can be read.");
        }

        // Decodes with BOM detection and drops the BOM, so the first CSV header is not '\uFEFFDate'.
        return File.ReadAllText(full, Utf8);
    }

    private static JsValue Write(SandboxContext context, string function, JsValue[] args, string text)
    {
        var path = SandboxArguments.RequireString(context.Engine, args, 0, function, "path");
        var full = Resolve(context, function, path);
        if (Directory.Exists(full))
        {
            throw SandboxErrors.Error(context.Engine, $"{function}: '{path}' is a folder.");
        }

        context.ChargeWrite(function, Utf8.GetByteCount(text));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text, Utf8);
        return context.Files.Relative(full);
    }

    private static JsArray ListFiles(SandboxContext context, JsValue[] args)
    {
        var path = args.At(0).IsUndefined() ? "." : SandboxArguments.RequireString(context.Engine, args, 0, "listFiles", "folder");
        var full = Resolve(context, "listFiles", path);
        if (!Directory.Exists(full))
        {
            throw SandboxErrors.Error(context.Engine, $"listFiles: there is no folder '{path}' in the work directory.");
        }

        var entries = Directory.EnumerateFileSystemEntries(full)
            .Select(entry => context.Files.Relative(entry) + (Directory.Exists(entry) ? "/" : string.Empty))
            .Order(StringComparer.Ordinal)
            .Take(SandboxContext.MaxArrayLength)
            .Select(name => (JsValue)new JsString(name))
            .ToArray();
        return new JsArray(context.Engine, entries);
    }

    private static string Resolve(SandboxContext context, string function, string path)
    {
        try
        {
            return context.Files.Resolve(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ArgumentException)
        {
            throw SandboxErrors.Error(context.Engine, $"{function}: {e.Message}");
        }
    }

    private static JsArray Csv(SandboxContext context, string function, string text, ObjectInstance? options, char defaultDelimiter)
    {
        var engine = context.Engine;
        var delimiterOption = SandboxArguments.Option(options, "delimiter");
        var delimiter = defaultDelimiter;
        if (!delimiterOption.IsUndefined())
        {
            delimiter = delimiterOption.IsString() && delimiterOption.AsString().Length == 1
                ? delimiterOption.AsString()[0]
                : throw SandboxErrors.Type(engine, $"{function}: option 'delimiter' must be one character, such as ',' or '\\t'.");
        }

        var header = SandboxArguments.Option(options, "header") is var h && (h.IsUndefined() || TypeConverter.ToBoolean(h));
        var numbers = SandboxArguments.Option(options, "numbers") is var n && (n.IsUndefined() || TypeConverter.ToBoolean(n));
        List<string[]> records;
        try
        {
            records = CsvParser.Parse(text, delimiter);
        }
        catch (FormatException e)
        {
            throw SandboxErrors.Error(engine, $"{function}: the CSV is malformed: {e.Message}.");
        }

        if (records.Count > SandboxContext.MaxArrayLength)
        {
            throw SandboxErrors.Range(engine, $"{function}: {records.Count} rows is more than the {SandboxContext.MaxArrayLength} one array may hold.");
        }

        var rows = new List<JsValue>(records.Count);
        if (!header)
        {
            foreach (var record in records)
            {
                rows.Add(new JsArray(engine, record.Select(field => Field(field, numbers)).ToArray()));
            }

            return new JsArray(engine, [.. rows]);
        }

        if (records.Count == 0)
        {
            return new JsArray(engine, []);
        }

        var columns = CsvParser.ColumnNames(records[0]);
        foreach (var record in records.Skip(1))
        {
            var row = new JsObject(engine);
            for (var i = 0; i < columns.Length; i++)
            {
                row.FastSetDataProperty(columns[i], i < record.Length ? Field(record[i], numbers) : JsValue.Null);
            }

            rows.Add(row);
        }

        return new JsArray(engine, [.. rows]);
    }

    private static JsValue Field(string field, bool numbers)
    {
        if (!numbers)
        {
            return new JsString(field);
        }

        if (field.Length == 0)
        {
            return JsValue.Null;
        }

        return CsvParser.TryNumber(field, out var number) ? new JsNumber(number) : new JsString(field);
    }
}

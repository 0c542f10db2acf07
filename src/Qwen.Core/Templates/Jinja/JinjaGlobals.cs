using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>The global functions a chat template can call: Jinja2's <c>range</c>, <c>dict</c>, <c>namespace</c>, and transformers' <c>raise_exception</c> and <c>strftime_now</c>.</summary>
internal static class JinjaGlobals
{
    /// <summary>The sandbox's limit on <c>range()</c>, as Jinja2's <c>MAX_RANGE</c>.</summary>
    public const long MaxRange = 100_000;

    private static readonly FrozenDictionary<string, object?> Globals = new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["range"] = new JinjaFunction("range", (_, args) => Range(args)),
        ["dict"] = new JinjaFunction("dict", (_, args) => Dict(args)),
        ["namespace"] = new JinjaFunction("namespace", (_, args) => Namespace(args)),
        ["raise_exception"] = new JinjaFunction("raise_exception", (_, args) => RaiseException(args)),
        ["strftime_now"] = new JinjaFunction("strftime_now", StrftimeNow),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool TryGet(string name, out object? value) => Globals.TryGetValue(name, out value);

    private static List<object?> Range(JinjaArguments args)
    {
        args.NoNamed("range");
        var values = args.Positional.Select(JinjaOps.ToLong).ToArray();
        var (start, stop, step) = values.Length switch
        {
            1 => (0L, values[0], 1L),
            2 => (values[0], values[1], 1L),
            3 => (values[0], values[1], values[2]),
            _ => throw new TemplateException($"range expected 1 to 3 arguments, got {values.Length}"),
        };
        if (step == 0)
        {
            throw new TemplateException("range() arg 3 must not be zero");
        }

        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (count > MaxRange)
        {
            throw new TemplateException($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        }

        var result = new List<object?>((int)Math.Max(0, count));
        for (var i = 0L; i < count; i++)
        {
            result.Add(start + (i * step));
        }

        return result;
    }

    private static JinjaDict Dict(JinjaArguments args)
    {
        var dict = new JinjaDict();
        if (args.Positional.Count > 1)
        {
            throw new TemplateException($"dict expected at most 1 argument, got {args.Positional.Count}");
        }

        if (args.Positional.Count == 1)
        {
            switch (args.Positional[0])
            {
                case JinjaDict source:
                    foreach (var (key, value) in source)
                    {
                        dict[key] = value;
                    }

                    break;
                default:
                    foreach (var pair in JinjaOps.Iterate(args.Positional[0]))
                    {
                        var items = JinjaOps.Iterate(pair);
                        if (items.Count != 2)
                        {
                            throw new TemplateException("dictionary update sequence element has the wrong length; 2 is required");
                        }

                        dict[JinjaDict.CheckKey(items[0])] = items[1];
                    }

                    break;
            }
        }

        foreach (var (key, value) in args.Named)
        {
            dict[key] = value;
        }

        return dict;
    }

    private static JinjaNamespace Namespace(JinjaArguments args)
    {
        var ns = new JinjaNamespace();
        foreach (var (key, value) in Dict(args))
        {
            ns.Attributes[key as string ?? throw new TemplateException("namespace() keys must be strings")] = value;
        }

        return ns;
    }

    private static object? RaiseException(JinjaArguments args)
    {
        var message = args.Bind("raise_exception", ["message"])[0];
        throw TemplateException.Raised(JinjaOps.ToStr(message));
    }

    private static object? StrftimeNow(JinjaContext context, JinjaArguments args)
    {
        var format = args.Bind("strftime_now", ["format"])[0] as string ?? throw new TemplateException("strftime_now() format must be a string");
        return Strftime(context.Time.GetLocalNow(), format);
    }

    /// <summary>C's <c>strftime</c> as Python calls it on Linux (glibc), in the C locale, for the directives templates use.</summary>
    internal static string Strftime(DateTimeOffset time, string format)
    {
        var c = CultureInfo.InvariantCulture;
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            var directive = unpadded ? format[i + 2] : format[i + 1];
            i += unpadded ? 2 : 1;
            string Pad(int value, int width) => unpadded ? value.ToString(c) : value.ToString(new string('0', width), c);
            var hour12 = time.Hour % 12 == 0 ? 12 : time.Hour % 12;
            builder.Append(directive switch
            {
                'Y' => time.Year.ToString(c),
                'y' => Pad(time.Year % 100, 2),
                'm' => Pad(time.Month, 2),
                'd' => Pad(time.Day, 2),
                'e' => unpadded ? time.Day.ToString(c) : time.Day.ToString(c).PadLeft(2),
                'H' => Pad(time.Hour, 2),
                'I' => Pad(hour12, 2),
                'M' => Pad(time.Minute, 2),
                'S' => Pad(time.Second, 2),
                'f' => (time.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", c),
                'j' => Pad(time.DayOfYear, 3),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'a' => time.ToString("ddd", c),
                'A' => time.ToString("dddd", c),
                'b' or 'h' => time.ToString("MMM", c),
                'B' => time.ToString("MMMM", c),
                'w' => ((int)time.DayOfWeek).ToString(c),
                'u' => (time.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)time.DayOfWeek).ToString(c),
                'z' => (time.Offset < TimeSpan.Zero ? "-" : "+") + time.Offset.ToString("hhmm", c),
                'F' => time.ToString("yyyy-MM-dd", c),
                'T' => time.ToString("HH:mm:ss", c),
                'D' => time.ToString("MM/dd/yy", c),
                'R' => time.ToString("HH:mm", c),
                'c' => time.ToString("ddd MMM ", c) + time.Day.ToString(c).PadLeft(2) + time.ToString(" HH:mm:ss yyyy", c),
                'x' => time.ToString("MM/dd/yy", c),
                'X' => time.ToString("HH:mm:ss", c),
                'n' => "\n",
                't' => "\t",
                '%' => "%",
                _ => "%" + (unpadded ? "-" : string.Empty) + directive,
            });
        }

        return builder.ToString();
    }
}

using System.Globalization;
using System.Numerics;
using System.Text;

namespace Qwen.Core;

/// <summary>Python's printf-style string formatting (<c>'%s: %05.2f' % (a, b)</c>, and Jinja's <c>format</c> filter built on it).</summary>
internal static class PyFormat
{
    /// <summary>Python's <c>format % args</c>: a tuple gives positional values, a dict named ones (<c>%(name)s</c>), anything else is the single value.</summary>
    public static string Percent(string format, object? args)
    {
        var positional = args is object?[] tuple ? tuple : [args];
        var mapping = args as JinjaDict;
        var next = 0;
        var usedMapping = false;
        var builder = new StringBuilder(format.Length + 16);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (++i >= format.Length)
            {
                throw new TemplateException("incomplete format");
            }

            object? value = null;
            var hasValue = false;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0)
                {
                    throw new TemplateException("incomplete format key");
                }

                if (mapping is null)
                {
                    throw new TemplateException("format requires a mapping");
                }

                var key = format[(i + 1)..close];
                value = mapping.TryGetValue(key, out var found) ? found : throw new TemplateException($"KeyError: '{key}'");
                hasValue = usedMapping = true;
                i = close + 1;
            }

            var flags = string.Empty;
            while (i < format.Length && "-+ #0".Contains(format[i], StringComparison.Ordinal))
            {
                flags += format[i++];
            }

            var width = ReadNumber(format, ref i, positional, ref next);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i, positional, ref next) ?? 0;
            }

            if (i >= format.Length)
            {
                throw new TemplateException("incomplete format");
            }

            var type = format[i];
            if (type == '%')
            {
                builder.Append('%');
                continue;
            }

            if (!hasValue)
            {
                if (next >= positional.Length)
                {
                    throw new TemplateException("not enough arguments for format string");
                }

                value = positional[next++];
            }

            builder.Append(Pad(Convert(type, value, flags, precision), flags, width, type));
        }

        // Python skips this check when the argument passes its mapping check, which a list does too.
        if (!usedMapping && mapping is null && args is not List<object?> && next < positional.Length)
        {
            throw new TemplateException("not all arguments converted during string formatting");
        }

        return builder.ToString();
    }

    private static int? ReadNumber(string format, ref int i, object?[] positional, ref int next)
    {
        if (i < format.Length && format[i] == '*')
        {
            i++;
            return next < positional.Length ? (int)JinjaOps.ToLong(positional[next++]) : throw new TemplateException("not enough arguments for format string");
        }

        var start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
        {
            i++;
        }

        return i > start ? int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }

    private static string Convert(char type, object? value, string flags, int? precision)
    {
        JinjaOps.Undefined(value);
        var c = CultureInfo.InvariantCulture;
        switch (type)
        {
            case 's':
                var s = JinjaOps.ToStr(value);
                return precision is { } p && p < s.Length ? s[..p] : s;
            case 'r' or 'a':
                var r = JinjaOps.Repr(value);
                return precision is { } q && q < r.Length ? r[..q] : r;
            case 'd' or 'i' or 'u':
                var number = Integer(type, value);
                return (number >= 0 ? SignPrefix(flags) : string.Empty) + number.ToString(c);
            case 'x' or 'X' or 'o':
                var n = Integer(type, value);
                var text = System.Convert.ToString(Math.Abs(n), type == 'o' ? 8 : 16);
                text = type == 'X' ? text.ToUpperInvariant() : text;
                var prefix = flags.Contains('#', StringComparison.Ordinal) ? (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") : string.Empty;
                return (n < 0 ? "-" : SignPrefix(flags)) + prefix + text;
            case 'f' or 'F' or 'e' or 'E' or 'g' or 'G':
                var x = value is string ? throw new TemplateException($"must be real number, not str") : JinjaOps.ToDouble(value);
                var formatted = FormatFloat(x, type, precision ?? 6, flags.Contains('#', StringComparison.Ordinal));
                return x >= 0 || double.IsNaN(x) ? SignPrefix(flags) + formatted : formatted;
            case 'c':
                return value switch
                {
                    string one when PyText.Length(one) == 1 => one,
                    long or bool => char.ConvertFromUtf32((int)JinjaOps.ToLong(value)),
                    _ => throw new TemplateException("%c requires an int or a unicode character"),
                };
            default:
                throw new TemplateException($"unsupported format character '{type}'");
        }
    }

    private static string SignPrefix(string flags) =>
        flags.Contains('+', StringComparison.Ordinal) ? "+" : flags.Contains(' ', StringComparison.Ordinal) ? " " : string.Empty;

    private static long Integer(char type, object? value) => value switch
    {
        long or bool => JinjaOps.ToLong(value),
        double d when double.IsFinite(d) => (long)Math.Truncate(d),
        _ => throw new TemplateException($"%{type} format: a real number is required, not {JinjaOps.TypeName(value)}"),
    };

    /// <summary>C's <c>%f</c>/<c>%e</c>/<c>%g</c> as Python applies them.</summary>
    internal static string FormatFloat(double x, char type, int precision, bool alternate)
    {
        var c = CultureInfo.InvariantCulture;
        if (double.IsNaN(x))
        {
            return char.IsUpper(type) ? "NAN" : "nan";
        }

        if (double.IsInfinity(x))
        {
            var inf = x > 0 ? "inf" : "-inf";
            return char.IsUpper(type) ? inf.ToUpperInvariant() : inf;
        }

        switch (char.ToLowerInvariant(type))
        {
            case 'f':
                // Round half to even on the exact binary value first, as C's printf does, so "F" only pads.
                return RoundHalfEven(x, Math.Min(precision, 300)).ToString("F" + precision.ToString(c), c);
            case 'e':
                return Exponent(x, precision, char.IsUpper(type));
            default:
                var p = precision == 0 ? 1 : precision;
                if (x == 0)
                {
                    return alternate ? (0.0).ToString("F" + (p - 1).ToString(c), c) : "0";
                }

                var scientific = Exponent(x, p - 1, false);
                var exponent = int.Parse(scientific.AsSpan(scientific.IndexOf('e', StringComparison.Ordinal) + 1), NumberStyles.AllowLeadingSign, c);
                string text;
                if (exponent < -4 || exponent >= p)
                {
                    text = Exponent(x, p - 1, char.IsUpper(type));
                    if (!alternate)
                    {
                        var e = text.IndexOfAny(['e', 'E']);
                        text = TrimFraction(text[..e]) + text[e..];
                    }
                }
                else
                {
                    text = FormatFloat(x, 'f', Math.Max(0, p - 1 - exponent), alternate);
                    if (!alternate)
                    {
                        text = TrimFraction(text);
                    }
                }

                return text;
        }
    }

    /// <summary>Python's <c>round(x, n)</c>: half-to-even on the exact binary value of <paramref name="x"/>, as CPython computes it.</summary>
    internal static double RoundHalfEven(double x, int digits)
    {
        if (!double.IsFinite(x))
        {
            return x;
        }

        // x = mantissa * 2^exponent exactly; scale by 10^digits in integers so no rounding happens before the final one.
        var bits = BitConverter.DoubleToInt64Bits(x);
        var negative = bits < 0;
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075;
        BigInteger numerator = mantissa;
        var denominator = BigInteger.One;
        if (exponent > 0)
        {
            numerator <<= exponent;
        }
        else
        {
            denominator <<= -exponent;
        }

        if (digits >= 0)
        {
            numerator *= BigInteger.Pow(10, digits);
        }
        else
        {
            denominator *= BigInteger.Pow(10, -digits);
        }

        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !quotient.IsEven))
        {
            quotient += 1;
        }

        var text = quotient.ToString(CultureInfo.InvariantCulture) + "e" + (-digits).ToString(CultureInfo.InvariantCulture);
        var result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return negative ? -result : result;
    }

    private static string Exponent(double x, int precision, bool upper)
    {
        var text = x.ToString((upper ? "E" : "e") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

        // .NET writes three exponent digits (1.5e+003); C writes at least two.
        var e = text.IndexOfAny(['e', 'E']);
        var digits = text[(e + 2)..].TrimStart('0').PadLeft(2, '0');
        return text[..(e + 2)] + digits;
    }

    private static string TrimFraction(string text) => text.Contains('.', StringComparison.Ordinal) ? text.TrimEnd('0').TrimEnd('.') : text;

    private static string Pad(string text, string flags, int? width, char type)
    {
        if (width is not { } w || PyText.Length(text) >= w)
        {
            return text;
        }

        var padding = w - PyText.Length(text);
        if (flags.Contains('-', StringComparison.Ordinal))
        {
            return text + new string(' ', padding);
        }

        if (flags.Contains('0', StringComparison.Ordinal) && type is not ('s' or 'r' or 'a' or 'c'))
        {
            // Zeros go after the sign (and the 0x prefix).
            var signLength = text.Length > 0 && text[0] is '-' or '+' or ' ' ? 1 : 0;
            if (text.Length >= signLength + 2 && text[signLength] == '0' && text[signLength + 1] is 'x' or 'X' or 'o')
            {
                signLength += 2;
            }

            return text[..signLength] + new string('0', padding) + text[signLength..];
        }

        return new string(' ', padding) + text;
    }
}

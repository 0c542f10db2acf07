using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>
/// Python's semantics for the values a template handles, as Jinja2 inherits them: truthiness, <c>str()</c>/<c>repr()</c>,
/// equality and ordering, arithmetic, membership, attribute and item access.
/// Values are <see langword="null"/> (None), <see cref="bool"/>, <see cref="long"/> (int), <see cref="double"/> (float), <see cref="string"/>,
/// <see cref="List{T}"/> (list), <c>object?[]</c> (tuple), <see cref="JinjaDict"/> (dict), <see cref="JinjaNamespace"/>, <see cref="JinjaCallable"/>
/// and <see cref="JinjaUndefined"/>.
/// </summary>
internal static class JinjaOps
{
    /// <summary>Longest string or list an operator may build, so a template cannot exhaust memory.</summary>
    public const long MaxBuiltLength = 100_000_000;

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        JinjaDict => "dict",
        JinjaNamespace => "Namespace",
        JinjaUndefined => "Undefined",
        JinjaLoop => "LoopContext",
        JinjaCallable => "function",
        PySlice => "slice",
        JinjaIterator iterator => iterator.TypeName,
        JinjaView view => view.TypeName,
        _ => value.GetType().Name,
    };

    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        IReadOnlyList<object?> list => list.Count > 0,
        JinjaDict dict => dict.Count > 0,
        JinjaView view => view.Items.Count > 0,
        JinjaUndefined => false,
        _ => true,
    };

    /// <summary>Python's <c>str(value)</c>; an undefined value prints as nothing, as in Jinja.</summary>
    public static string ToStr(object? value) => value switch
    {
        string s => s,
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        JinjaUndefined => string.Empty,
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr(value)</c>.</summary>
    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value, 0);
        return builder.ToString();
    }

    private static void AppendRepr(StringBuilder builder, object? value, int depth)
    {
        if (depth > 200)
        {
            throw new TemplateException("value nested too deeply to print");
        }

        switch (value)
        {
            case string s:
                PyText.AppendRepr(builder, s);
                break;
            case List<object?> list:
                builder.Append('[');
                AppendItems(builder, list, depth);
                builder.Append(']');
                break;
            case object?[] tuple:
                builder.Append('(');
                AppendItems(builder, tuple, depth);
                builder.Append(tuple.Length == 1 ? ",)" : ")");
                break;
            case JinjaDict dict:
                builder.Append('{');
                var first = true;
                foreach (var (key, item) in dict)
                {
                    builder.Append(first ? string.Empty : ", ");
                    first = false;
                    AppendRepr(builder, key, depth + 1);
                    builder.Append(": ");
                    AppendRepr(builder, item, depth + 1);
                }

                builder.Append('}');
                break;
            case JinjaNamespace ns:
                builder.Append("<Namespace {");
                builder.AppendJoin(", ", ns.Attributes.Select(a => $"{Repr(a.Key)}: {Repr(a.Value)}"));
                builder.Append("}>");
                break;
            case JinjaUndefined:
                builder.Append("Undefined");
                break;
            case JinjaLoop loop:
                builder.Append(CultureInfo.InvariantCulture, $"<LoopContext {loop.Index0 + 1}/{loop.Length}>");
                break;
            case JinjaCallable callable:
                builder.Append(CultureInfo.InvariantCulture, $"<function {callable.Name}>");
                break;
            case JinjaIterator iterator:
                builder.Append(CultureInfo.InvariantCulture, $"<{iterator.TypeName} object>");
                break;
            case JinjaView view:
                builder.Append(view.TypeName).Append("([");
                AppendItems(builder, view.Items, depth);
                builder.Append("])");
                break;
            case PySlice slice:
                builder.Append(CultureInfo.InvariantCulture, $"slice({Repr(slice.Start)}, {Repr(slice.Stop)}, {Repr(slice.Step)})");
                break;
            case null or bool or long or double:
                builder.Append(ToStr(value));
                break;
            default:
                builder.Append(CultureInfo.InvariantCulture, $"<{TypeName(value)} object>");
                break;
        }
    }

    private static void AppendItems(StringBuilder builder, IReadOnlyList<object?> items, int depth)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            AppendRepr(builder, items[i], depth + 1);
        }
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest string that reads back to the same double, in fixed notation for exponents -4..15, otherwise scientific.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative)
        {
            r = r[1..];
        }

        var e = r.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var integerDigits = dot < 0 ? mantissa.Length : dot;
        var leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // The value is 0.<digits> x 10^pointPosition.
        var pointPosition = integerDigits - leadingZeros + exponent;
        var scientificExponent = pointPosition - 1;
        var builder = new StringBuilder(negative ? "-" : string.Empty);
        if (scientificExponent < -4 || scientificExponent >= 16)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append(scientificExponent < 0 ? "e-" : "e+").Append(Math.Abs(scientificExponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointPosition <= 0)
        {
            builder.Append("0.").Append('0', -pointPosition).Append(digits);
        }
        else if (pointPosition >= digits.Length)
        {
            builder.Append(digits).Append('0', pointPosition - digits.Length).Append(".0");
        }
        else
        {
            builder.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
        }

        return builder.ToString();
    }

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static bool IsInteger(object? value) => value is long or bool;

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateException($"an integer is required, not '{TypeName(value)}'"),
    };

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateException($"a number is required, not '{TypeName(value)}'"),
    };

    /// <summary>Python's <c>a == b</c>.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? ToLong(a) == ToLong(b) : ToDouble(a) == ToDouble(b);
        }

        switch (a)
        {
            case null:
                return b is null;
            case string s:
                return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case List<object?> list:
                return b is List<object?> otherList && SequenceEqual(list, otherList);
            case object?[] tuple:
                return b is object?[] otherTuple && SequenceEqual(tuple, otherTuple);
            case JinjaDict dict:
                if (b is not JinjaDict otherDict || dict.Count != otherDict.Count)
                {
                    return false;
                }

                foreach (var (key, value) in dict)
                {
                    if (!otherDict.TryGetValue(key, out var other) || !AreEqual(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case JinjaUndefined:
                return b is JinjaUndefined;
            default:
                return ReferenceEquals(a, b);
        }
    }

    private static bool SequenceEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!AreEqual(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python's ordering (<c>&lt;</c>, <c>&gt;</c>, ...): numbers, strings by code point, lists and tuples item by item.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        Undefined(a);
        Undefined(b);
        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? ToLong(a).CompareTo(ToLong(b)) : ToDouble(a).CompareTo(ToDouble(b));
        }

        if (a is string s && b is string t)
        {
            return PyText.CompareOrdinal(s, t);
        }

        if ((a is List<object?> && b is List<object?>) || (a is object?[] && b is object?[]))
        {
            var x = (IReadOnlyList<object?>)a;
            var y = (IReadOnlyList<object?>)b;
            for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
            {
                if (!AreEqual(x[i], y[i]))
                {
                    return Compare(x[i], y[i], op);
                }
            }

            return x.Count.CompareTo(y.Count);
        }

        throw new TemplateException($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    /// <summary>Throws the undefined value's error when <paramref name="value"/> is undefined.</summary>
    public static object? Undefined(object? value) => value is JinjaUndefined undefined ? throw undefined.Error() : value;

    public static object? Add(object? a, object? b)
    {
        Undefined(a);
        Undefined(b);
        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? (object)checked(ToLong(a) + ToLong(b)) : ToDouble(a) + ToDouble(b);
        }

        if (a is string s && b is string t)
        {
            CheckLength(s.Length + (long)t.Length);
            return s + t;
        }

        return (a, b) switch
        {
            (List<object?> x, List<object?> y) => new List<object?>([.. x, .. y]),
            (object?[] x, object?[] y) => (object?[])[.. x, .. y],
            (string, _) => throw new TemplateException($"can only concatenate str (not \"{TypeName(b)}\") to str"),
            (List<object?>, _) => throw new TemplateException($"can only concatenate list (not \"{TypeName(b)}\") to list"),
            _ => throw Unsupported("+", a, b),
        };
    }

    public static object? Subtract(object? a, object? b)
    {
        Undefined(a);
        Undefined(b);
        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? (object)checked(ToLong(a) - ToLong(b)) : ToDouble(a) - ToDouble(b);
        }

        throw Unsupported("-", a, b);
    }

    public static object? Multiply(object? a, object? b)
    {
        Undefined(a);
        Undefined(b);
        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? (object)checked(ToLong(a) * ToLong(b)) : ToDouble(a) * ToDouble(b);
        }

        if (IsInteger(a) && b is string or List<object?> or object?[])
        {
            (a, b) = (b, a);
        }

        if (IsInteger(b))
        {
            var times = Math.Max(0, ToLong(b));
            switch (a)
            {
                case string s:
                    CheckLength(s.Length * times);
                    return new StringBuilder(s.Length * (int)times).Insert(0, s, (int)times).ToString();
                case List<object?> list:
                    CheckLength(list.Count * times);
                    return Enumerable.Repeat(list, (int)times).SelectMany(x => x).ToList();
                case object?[] tuple:
                    CheckLength(tuple.Length * times);
                    return Enumerable.Repeat(tuple, (int)times).SelectMany(x => x).ToArray();
            }
        }

        throw Unsupported("*", a, b);
    }

    public static object? Divide(object? a, object? b)
    {
        Undefined(a);
        Undefined(b);
        if (IsNumber(a) && IsNumber(b))
        {
            var divisor = ToDouble(b);
            return divisor == 0 ? throw new TemplateException("division by zero") : ToDouble(a) / divisor;
        }

        throw Unsupported("/", a, b);
    }

    public static object? FloorDivide(object? a, object? b)
    {
        Undefined(a);
        Undefined(b);
        if (IntegerOperands(a, b, out var x, out var y))
        {
            var q = checked(x / y);
            return (x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            var divisor = ToDouble(b);
            return divisor == 0 ? throw new TemplateException("float floor division by zero") : Math.Floor(ToDouble(a) / divisor);
        }

        throw Unsupported("//", a, b);
    }

    public static object? Modulo(object? a, object? b)
    {
        Undefined(a);
        Undefined(b);
        if (IntegerOperands(a, b, out var x, out var y))
        {
            var r = x % y;
            return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            var (u, v) = (ToDouble(a), ToDouble(b));
            if (v == 0)
            {
                throw new TemplateException("float modulo");
            }

            var r = u % v;
            return r != 0 ? ((r < 0) != (v < 0) ? r + v : r) : Math.CopySign(0, v);
        }

        if (a is string format)
        {
            return PyFormat.Percent(format, b);
        }

        throw Unsupported("%", a, b);
    }

    /// <summary>Both operands as integers for <c>//</c> and <c>%</c>, failing on a zero divisor as Python does.</summary>
    private static bool IntegerOperands(object? a, object? b, out long x, out long y)
    {
        (x, y) = (0, 0);
        if (!IsInteger(a) || !IsInteger(b))
        {
            return false;
        }

        (x, y) = (ToLong(a), ToLong(b));
        return y != 0 ? true : throw new TemplateException("integer division or modulo by zero");
    }

    public static object? Power(object? a, object? b)
    {
        Undefined(a);
        Undefined(b);
        if (IsInteger(a) && IsInteger(b) && ToLong(b) >= 0)
        {
            var (x, n) = (ToLong(a), ToLong(b));
            long result = 1;
            while (n > 0)
            {
                if ((n & 1) == 1)
                {
                    result = checked(result * x);
                }

                n >>= 1;
                if (n > 0)
                {
                    x = checked(x * x);
                }
            }

            return result;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            var (x, y) = (ToDouble(a), ToDouble(b));
            return x == 0 && y < 0 ? throw new TemplateException("0.0 cannot be raised to a negative power") : Math.Pow(x, y);
        }

        throw Unsupported("**", a, b);
    }

    public static object? Negate(object? a) => Undefined(a) switch
    {
        long l => (object)checked(-l),
        bool b => b ? -1L : 0L,
        double d => -d,
        _ => throw new TemplateException($"bad operand type for unary -: '{TypeName(a)}'"),
    };

    public static object? Plus(object? a) => Undefined(a) switch
    {
        long l => (object)l,
        bool b => b ? 1L : 0L,
        double d => d,
        _ => throw new TemplateException($"bad operand type for unary +: '{TypeName(a)}'"),
    };

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string s:
                return Undefined(item) is string sub
                    ? s.Contains(sub, StringComparison.Ordinal)
                    : throw new TemplateException($"'in <string>' requires string as left operand, not {TypeName(item)}");
            case IReadOnlyList<object?> list:
                return list.Any(x => AreEqual(x, item));
            case JinjaDict dict:
                return item is List<object?> or JinjaDict or JinjaView
                    ? throw new TemplateException($"unhashable type: '{TypeName(item)}'")
                    : item is not null && IsHashable(item) && dict.ContainsKey(item);
            case JinjaUndefined:
                return false;
            case JinjaIterator iterator:
                return iterator.Drain().Any(x => AreEqual(x, item));
            case JinjaView view:
                return view.Items.Any(x => AreEqual(x, item));
            default:
                throw new TemplateException($"argument of type '{TypeName(container)}' is not iterable");
        }
    }

    private static bool IsHashable(object item) => item is string or long or double or bool or object?[];

    /// <summary>Python's <c>len(value)</c>; an undefined value has length 0, as in Jinja.</summary>
    public static long Length(object? value) => value switch
    {
        string s => PyText.Length(s),
        IReadOnlyList<object?> list => list.Count,
        JinjaDict dict => dict.Count,
        JinjaView view => view.Items.Count,
        JinjaUndefined => 0,
        _ => throw new TemplateException($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>The items a <c>for</c> loop over <paramref name="value"/> visits (a dict's keys, a string's characters).</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        IReadOnlyList<object?> list => list,
        JinjaDict dict => [.. dict.Keys],
        string s => PyText.Characters(s),
        JinjaUndefined => [],
        JinjaIterator iterator => iterator.Drain(),
        JinjaView view => view.Items,
        _ => throw new TemplateException($"'{TypeName(value)}' object is not iterable"),
    };

    /// <summary>Jinja's <c>obj.name</c>: Python attribute first (methods), then item <c>obj['name']</c>, else undefined.</summary>
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw undefined.Error();
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : JinjaUndefined.Attribute(target, name);
            case JinjaLoop loop:
                return loop.GetAttribute(name);
        }

        if (JinjaMethods.TryBind(target, name, out var method))
        {
            return method;
        }

        return target is JinjaDict dict && dict.TryGetValue(name, out var value) ? value : JinjaUndefined.Attribute(target, name);
    }

    /// <summary>Jinja's <c>obj[key]</c>: Python item first, then attribute when the key is a string, else undefined.</summary>
    public static object? GetItem(object? target, object? key)
    {
        // Jinja2 compiles a slice to plain Python subscription (no undefined fallback): only sequences can be sliced.
        if (key is PySlice && target is not (IReadOnlyList<object?> or string))
        {
            throw target switch
            {
                JinjaUndefined undefined => undefined.Error(),
                JinjaDict => new TemplateException("unhashable type: 'slice'"),
                _ => new TemplateException($"'{TypeName(target)}' object is not subscriptable"),
            };
        }

        switch (target)
        {
            case JinjaUndefined undefined:
                throw undefined.Error();
            case JinjaDict dict:
                if (key is not null && IsHashable(key) && dict.TryGetValue(key, out var value))
                {
                    return value;
                }

                break;
            case IReadOnlyList<object?> list:
                if (key is PySlice slice)
                {
                    var items = slice.Apply(list);
                    return target is object?[] ? items.ToArray() : items;
                }

                if (IsInteger(key))
                {
                    var index = ToLong(key);
                    index = index < 0 ? index + list.Count : index;
                    return index >= 0 && index < list.Count ? list[(int)index] : JinjaUndefined.Item(target, key);
                }

                break;
            case string s:
                if (key is PySlice textSlice)
                {
                    return PyText.Slice(s, textSlice.Start, textSlice.Stop, textSlice.Step);
                }

                if (IsInteger(key))
                {
                    return PyText.CharAt(s, ToLong(key)) ?? (object)JinjaUndefined.Item(target, key);
                }

                break;
        }

        return key is string name && target is not JinjaDict ? GetAttribute(target, name)
            : key is string attr && target is JinjaDict && JinjaMethods.TryBind(target, attr, out var method) ? method
            : JinjaUndefined.Item(target, key);
    }

    private static long CheckLength(long length) =>
        length > MaxBuiltLength ? throw new TemplateException($"the result would be longer than {MaxBuiltLength:N0} items") : length;

    private static TemplateException Unsupported(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");
}

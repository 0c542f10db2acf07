using System.Text;

namespace Qwen.Core;

/// <summary>An expression of the template's syntax tree. Immutable once parsed, so one tree serves concurrent renders.</summary>
internal abstract class JinjaExpr(JinjaToken at) : JinjaSyntax(at)
{
    /// <summary>Evaluates the expression; errors without a position get this expression's position.</summary>
    public object? Evaluate(JinjaContext context)
    {
        try
        {
            return Eval(context);
        }
        catch (Exception e) when (NeedsPosition(e))
        {
            throw Locate(e);
        }
    }

    protected abstract object? Eval(JinjaContext context);
}

/// <summary>A literal: string, number, boolean or none.</summary>
internal sealed class JinjaConstExpr(JinjaToken at, object? value) : JinjaExpr(at)
{
    public object? Value { get; } = value;

    protected override object? Eval(JinjaContext context) => Value;
}

/// <summary>A variable reference.</summary>
internal sealed class JinjaNameExpr(JinjaToken at, string name) : JinjaExpr(at)
{
    public string Name { get; } = name;

    protected override object? Eval(JinjaContext context) => context.Lookup(Name);
}

/// <summary>A list literal <c>[a, b]</c>.</summary>
internal sealed class JinjaListExpr(JinjaToken at, JinjaExpr[] items) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context) => items.Select(item => item.Evaluate(context)).ToList();
}

/// <summary>A tuple <c>(a, b)</c> or <c>a, b</c>.</summary>
internal sealed class JinjaTupleExpr(JinjaToken at, JinjaExpr[] items) : JinjaExpr(at)
{
    public JinjaExpr[] Items { get; } = items;

    protected override object? Eval(JinjaContext context) => Items.Select(item => item.Evaluate(context)).ToArray();
}

/// <summary>A dict literal <c>{k: v}</c>.</summary>
internal sealed class JinjaDictExpr(JinjaToken at, (JinjaExpr Key, JinjaExpr Value)[] pairs) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context)
    {
        var dict = new JinjaDict(pairs.Length);
        foreach (var (key, value) in pairs)
        {
            dict[JinjaDict.CheckKey(key.Evaluate(context))] = value.Evaluate(context);
        }

        return dict;
    }
}

/// <summary><c>target.name</c>.</summary>
internal sealed class JinjaAttributeExpr(JinjaToken at, JinjaExpr target, string name) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context) => JinjaOps.GetAttribute(target.Evaluate(context), name);
}

/// <summary><c>target[key]</c>, including slices.</summary>
internal sealed class JinjaItemExpr(JinjaToken at, JinjaExpr target, JinjaExpr key) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context)
    {
        var value = target.Evaluate(context);
        return JinjaOps.GetItem(value, key.Evaluate(context));
    }
}

/// <summary>The <c>start:stop:step</c> inside a subscript.</summary>
internal sealed class JinjaSliceExpr(JinjaToken at, JinjaExpr? start, JinjaExpr? stop, JinjaExpr? step) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context) => new PySlice(Bound(start, context), Bound(stop, context), Bound(step, context));

    private static long? Bound(JinjaExpr? expr, JinjaContext context)
    {
        var value = expr?.Evaluate(context);
        return value switch
        {
            null => null,
            long or bool => JinjaOps.ToLong(value),
            _ => throw new TemplateException("slice indices must be integers or None"),
        };
    }
}

/// <summary>The arguments written in a call: positional, <c>name=value</c>, <c>*args</c>, <c>**kwargs</c>.</summary>
internal sealed class JinjaCallArgs(JinjaExpr[] positional, (string Name, JinjaExpr Value)[] named, JinjaExpr? dynamicArgs, JinjaExpr? dynamicKwargs)
{
    public static readonly JinjaCallArgs None = new([], [], null, null);

    public bool IsEmpty => positional.Length == 0 && named.Length == 0 && dynamicArgs is null && dynamicKwargs is null;

    public JinjaArguments Evaluate(JinjaContext context, object? first = null, bool hasFirst = false)
    {
        if (IsEmpty && !hasFirst)
        {
            return JinjaArguments.Empty;
        }

        var values = new List<object?>(positional.Length + 1);
        if (hasFirst)
        {
            values.Add(first);
        }

        foreach (var expr in positional)
        {
            values.Add(expr.Evaluate(context));
        }

        if (dynamicArgs is not null)
        {
            values.AddRange(JinjaOps.Iterate(dynamicArgs.Evaluate(context)));
        }

        var keywords = new List<KeyValuePair<string, object?>>(named.Length);
        foreach (var (name, expr) in named)
        {
            keywords.Add(new(name, expr.Evaluate(context)));
        }

        if (dynamicKwargs is not null)
        {
            if (dynamicKwargs.Evaluate(context) is not JinjaDict dict)
            {
                throw new TemplateException("argument after ** must be a mapping");
            }

            foreach (var (key, value) in dict)
            {
                keywords.Add(new(key as string ?? throw new TemplateException("keywords must be strings"), value));
            }
        }

        return new JinjaArguments(values, keywords);
    }
}

/// <summary>A call <c>f(args)</c>: a global function, a method, a macro, <c>caller()</c>, <c>loop(...)</c>.</summary>
internal sealed class JinjaCallExpr(JinjaToken at, JinjaExpr callee, JinjaCallArgs args) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context) => Call(context, null);

    /// <summary>Calls with an extra keyword argument (<c>caller</c> from a <c>{% call %}</c> block).</summary>
    public object? Call(JinjaContext context, KeyValuePair<string, object?>? extra)
    {
        try
        {
            var target = callee.Evaluate(context);
            if (target is not JinjaCallable function)
            {
                throw target is JinjaUndefined undefined ? undefined.Error() : new TemplateException($"'{JinjaOps.TypeName(target)}' object is not callable");
            }

            var arguments = args.Evaluate(context);
            if (extra is { } pair)
            {
                arguments = new JinjaArguments(arguments.Positional, [.. arguments.Named, pair]);
            }

            return function.Invoke(context, arguments);
        }
        catch (Exception e) when (NeedsPosition(e))
        {
            throw Locate(e);
        }
    }
}

/// <summary><c>value | name(args)</c>. A filter block's chain has no input of its own: it takes the block's text.</summary>
internal sealed class JinjaFilterExpr(JinjaToken at, JinjaExpr? input, string name, JinjaCallArgs args) : JinjaExpr(at)
{
    private readonly JinjaFilter? _filter = JinjaFilters.Find(name);

    protected override object? Eval(JinjaContext context) => Apply(context, null);

    /// <summary>Applies the chain to <paramref name="seed"/> where it has no input expression.</summary>
    public object? Apply(JinjaContext context, object? seed)
    {
        try
        {
            var value = input switch
            {
                null => seed,
                JinjaFilterExpr inner => inner.Apply(context, seed),
                _ => input.Evaluate(context),
            };
            if (_filter is null)
            {
                throw new TemplateException(JinjaFilters.UnknownMessage(name));
            }

            return _filter(context, value, args.Evaluate(context));
        }
        catch (Exception e) when (NeedsPosition(e))
        {
            throw Locate(e);
        }
    }
}

/// <summary><c>value is name(args)</c>.</summary>
internal sealed class JinjaTestExpr(JinjaToken at, JinjaExpr input, string name, JinjaCallArgs args) : JinjaExpr(at)
{
    private readonly JinjaTest? _test = JinjaTests.Find(name);

    protected override object? Eval(JinjaContext context)
    {
        var value = input.Evaluate(context);
        if (_test is null)
        {
            throw new TemplateException(JinjaTests.UnknownMessage(name));
        }

        return _test(context, value, args.Evaluate(context));
    }
}

/// <summary>Unary <c>not</c>, <c>-</c>, <c>+</c>.</summary>
internal sealed class JinjaUnaryExpr(JinjaToken at, string op, JinjaExpr operand) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context)
    {
        var value = operand.Evaluate(context);
        return op switch
        {
            "not" => !JinjaOps.IsTruthy(value),
            "-" => JinjaOps.Negate(value),
            _ => JinjaOps.Plus(value),
        };
    }
}

/// <summary>Binary arithmetic: <c>+ - * / // % **</c>.</summary>
internal sealed class JinjaBinaryExpr(JinjaToken at, string op, JinjaExpr left, JinjaExpr right) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context)
    {
        var a = left.Evaluate(context);
        var b = right.Evaluate(context);
        return op switch
        {
            "+" => JinjaOps.Add(a, b),
            "-" => JinjaOps.Subtract(a, b),
            "*" => JinjaOps.Multiply(a, b),
            "/" => JinjaOps.Divide(a, b),
            "//" => JinjaOps.FloorDivide(a, b),
            "%" => JinjaOps.Modulo(a, b),
            _ => JinjaOps.Power(a, b),
        };
    }
}

/// <summary><c>a and b</c> / <c>a or b</c>, returning an operand as Python does.</summary>
internal sealed class JinjaLogicExpr(JinjaToken at, bool isAnd, JinjaExpr left, JinjaExpr right) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context)
    {
        var a = left.Evaluate(context);
        return JinjaOps.IsTruthy(a) == isAnd ? right.Evaluate(context) : a;
    }
}

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c>, <c>in</c>, <c>not in</c>.</summary>
internal sealed class JinjaCompareExpr(JinjaToken at, JinjaExpr first, (string Op, JinjaExpr Operand)[] rest) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context)
    {
        var left = first.Evaluate(context);
        foreach (var (op, operand) in rest)
        {
            var right = operand.Evaluate(context);
            var holds = op switch
            {
                "==" => JinjaOps.AreEqual(left, right),
                "!=" => !JinjaOps.AreEqual(left, right),
                "<" => JinjaOps.Compare(left, right, op) < 0,
                "<=" => JinjaOps.Compare(left, right, op) <= 0,
                ">" => JinjaOps.Compare(left, right, op) > 0,
                ">=" => JinjaOps.Compare(left, right, op) >= 0,
                "in" => JinjaOps.Contains(right, left),
                _ => !JinjaOps.Contains(right, left),
            };
            if (!holds)
            {
                return false;
            }

            left = right;
        }

        return true;
    }
}

/// <summary><c>a ~ b</c>: string concatenation of <c>str()</c> of each part.</summary>
internal sealed class JinjaConcatExpr(JinjaToken at, JinjaExpr[] parts) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            builder.Append(JinjaOps.ToStr(part.Evaluate(context)));
        }

        return builder.ToString();
    }
}

/// <summary><c>a if test else b</c>; without <c>else</c> a false test gives an undefined value.</summary>
internal sealed class JinjaConditionalExpr(JinjaToken at, JinjaExpr test, JinjaExpr whenTrue, JinjaExpr? whenFalse) : JinjaExpr(at)
{
    protected override object? Eval(JinjaContext context) =>
        JinjaOps.IsTruthy(test.Evaluate(context))
            ? whenTrue.Evaluate(context)
            : whenFalse is null
                ? JinjaUndefined.WithHint($"the inline if-expression on line {Line} evaluated to false and no else section was defined")
                : whenFalse.Evaluate(context);
}

using System.Collections.Frozen;

namespace Qwen.Core;

/// <summary>A test: <c>value is name(args)</c>.</summary>
internal delegate bool JinjaTest(JinjaContext context, object? value, JinjaArguments args);

/// <summary>Jinja2's built-in tests (its <c>tests.py</c>).</summary>
internal static class JinjaTests
{
    private static readonly FrozenDictionary<string, JinjaTest> Tests = new Dictionary<string, JinjaTest>(StringComparer.Ordinal)
    {
        ["defined"] = (_, v, a) => Unary("defined", a, v is not JinjaUndefined),
        ["undefined"] = (_, v, a) => Unary("undefined", a, v is JinjaUndefined),
        ["none"] = (_, v, a) => Unary("none", a, v is null),
        ["boolean"] = (_, v, a) => Unary("boolean", a, v is bool),
        ["true"] = (_, v, a) => Unary("true", a, v is true),
        ["false"] = (_, v, a) => Unary("false", a, v is false),
        ["integer"] = (_, v, a) => Unary("integer", a, v is long),
        ["float"] = (_, v, a) => Unary("float", a, v is double),
        ["number"] = (_, v, a) => Unary("number", a, JinjaOps.IsNumber(v)),
        ["string"] = (_, v, a) => Unary("string", a, v is string),
        ["mapping"] = (_, v, a) => Unary("mapping", a, v is JinjaDict),
        ["sequence"] = (_, v, a) => Unary("sequence", a, v is string or IReadOnlyList<object?> or JinjaDict or JinjaUndefined),
        ["iterable"] = (_, v, a) => Unary("iterable", a, v is string or IReadOnlyList<object?> or JinjaDict or JinjaUndefined or JinjaIterator or JinjaView),
        ["callable"] = (_, v, a) => Unary("callable", a, v is JinjaCallable or JinjaUndefined),
        ["escaped"] = (_, v, a) => Unary("escaped", a, false),
        ["lower"] = (_, v, a) => Unary("lower", a, JinjaOps.ToStr(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper)),
        ["upper"] = (_, v, a) => Unary("upper", a, JinjaOps.ToStr(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower)),
        ["even"] = (_, v, a) => Unary("even", a, JinjaOps.AreEqual(JinjaOps.Modulo(v, 2L), 0L)),
        ["odd"] = (_, v, a) => Unary("odd", a, JinjaOps.AreEqual(JinjaOps.Modulo(v, 2L), 1L)),
        ["divisibleby"] = (_, v, a) => JinjaOps.AreEqual(JinjaOps.Modulo(v, Binary("divisibleby", a)), 0L),
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["=="] = Equal,
        ["ne"] = (_, v, a) => !JinjaOps.AreEqual(v, Binary("ne", a)),
        ["!="] = (_, v, a) => !JinjaOps.AreEqual(v, Binary("!=", a)),
        ["lt"] = (_, v, a) => JinjaOps.Compare(v, Binary("lt", a), "<") < 0,
        ["lessthan"] = (_, v, a) => JinjaOps.Compare(v, Binary("lessthan", a), "<") < 0,
        ["<"] = (_, v, a) => JinjaOps.Compare(v, Binary("<", a), "<") < 0,
        ["le"] = (_, v, a) => JinjaOps.Compare(v, Binary("le", a), "<=") <= 0,
        ["<="] = (_, v, a) => JinjaOps.Compare(v, Binary("<=", a), "<=") <= 0,
        ["gt"] = (_, v, a) => JinjaOps.Compare(v, Binary("gt", a), ">") > 0,
        ["greaterthan"] = (_, v, a) => JinjaOps.Compare(v, Binary("greaterthan", a), ">") > 0,
        [">"] = (_, v, a) => JinjaOps.Compare(v, Binary(">", a), ">") > 0,
        ["ge"] = (_, v, a) => JinjaOps.Compare(v, Binary("ge", a), ">=") >= 0,
        [">="] = (_, v, a) => JinjaOps.Compare(v, Binary(">=", a), ">=") >= 0,
        ["in"] = (_, v, a) => JinjaOps.Contains(Binary("in", a), v),
        ["sameas"] = (_, v, a) => SameAs(v, Binary("sameas", a)),
        ["filter"] = (_, v, a) => Unary("filter", a, v is string name && JinjaFilters.Exists(name)),
        ["test"] = (_, v, a) => Unary("test", a, v is string name && Tests!.ContainsKey(name)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static JinjaTest? Find(string name) => Tests.GetValueOrDefault(name);

    public static string UnknownMessage(string name) => $"no test named '{name}'";

    /// <summary>Applies the test <paramref name="name"/> (for <c>select('name')</c>).</summary>
    public static bool Apply(JinjaContext context, string name, object? value, JinjaArguments args) =>
        Find(name) is { } test ? test(context, value, args) : throw new TemplateException(UnknownMessage(name));

    private static bool Unary(string name, JinjaArguments args, bool result)
    {
        args.Bind(name, []);
        return result;
    }

    private static object? Binary(string name, JinjaArguments args) => args.Bind(name, ["other"])[0];

    private static bool Equal(JinjaContext context, object? value, JinjaArguments args) => JinjaOps.AreEqual(value, Binary("eq", args));

    private static bool SameAs(object? a, object? b) => a switch
    {
        null => b is null,
        bool x => b is bool y && x == y,
        JinjaUndefined => b is JinjaUndefined,
        long or double or string => JinjaOps.AreEqual(a, b) && a.GetType() == b?.GetType(),
        _ => ReferenceEquals(a, b),
    };
}

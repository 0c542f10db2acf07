namespace Qwen.Core;

/// <summary>A value a template can call: a global function, a bound method, a macro, <c>caller</c>.</summary>
internal abstract class JinjaCallable
{
    /// <summary>Gets the name used in messages and in <c>repr</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Calls the value.</summary>
    public abstract object? Invoke(JinjaContext context, JinjaArguments arguments);
}

/// <summary>A built-in function (a global such as <c>range</c> or <c>namespace</c>, or a method bound to its receiver).</summary>
internal sealed class JinjaFunction : JinjaCallable
{
    private readonly Func<JinjaContext, JinjaArguments, object?> _body;

    public JinjaFunction(string name, Func<JinjaContext, JinjaArguments, object?> body)
    {
        Name = name;
        _body = body;
    }

    public override string Name { get; }

    public override object? Invoke(JinjaContext context, JinjaArguments arguments) => _body(context, arguments);
}

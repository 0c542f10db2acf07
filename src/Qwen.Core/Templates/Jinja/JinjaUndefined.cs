namespace Qwen.Core;

/// <summary>Jinja's default <c>Undefined</c>: what a missing variable, attribute or item evaluates to. Falsy, prints as nothing, iterates as empty; any other use is an error naming what was missing.</summary>
internal sealed class JinjaUndefined
{
    /// <summary>An undefined value with no further description.</summary>
    public static readonly JinjaUndefined Plain = new("the value is undefined");

    private JinjaUndefined(string message) => Message = message;

    /// <summary>Gets the error message used when the value is used in a way that needs a real value.</summary>
    public string Message { get; }

    /// <summary>A variable that does not exist.</summary>
    public static JinjaUndefined Variable(string name) => new($"'{name}' is undefined");

    /// <summary>An attribute that <paramref name="owner"/> does not have.</summary>
    public static JinjaUndefined Attribute(object? owner, string name) =>
        new(owner is null ? $"'None' has no attribute '{name}'" : $"'{JinjaOps.TypeName(owner)} object' has no attribute '{name}'");

    /// <summary>An item that <paramref name="owner"/> does not have.</summary>
    public static JinjaUndefined Item(object? owner, object? key) =>
        key is string name ? Attribute(owner, name) : new($"{(owner is null ? "None" : JinjaOps.TypeName(owner) + " object")} has no element {JinjaOps.Repr(key)}");

    /// <summary>An undefined value with an explicit explanation.</summary>
    public static JinjaUndefined WithHint(string message) => new(message);

    /// <summary>Creates the exception for using this value where a real one is needed.</summary>
    public TemplateException Error() => new(Message);

    /// <inheritdoc/>
    public override string ToString() => string.Empty;
}

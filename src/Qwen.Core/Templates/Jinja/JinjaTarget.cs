namespace Qwen.Core;

/// <summary>The left side of an assignment or a loop variable: a name, a namespace attribute (<c>ns.attr</c>) or a tuple of targets.</summary>
internal abstract class JinjaTarget
{
    public abstract void Assign(JinjaContext context, JinjaScope scope, object? value);
}

/// <summary>Assigns a variable.</summary>
internal sealed class JinjaNameTarget(string name) : JinjaTarget
{
    public override void Assign(JinjaContext context, JinjaScope scope, object? value) => scope.Set(name, value);
}

/// <summary>Assigns an attribute of a <c>namespace()</c> object.</summary>
internal sealed class JinjaNamespaceTarget(string name, string attribute) : JinjaTarget
{
    public override void Assign(JinjaContext context, JinjaScope scope, object? value)
    {
        var target = scope.TryGet(name, out var found) ? found : context.Lookup(name);
        if (target is not JinjaNamespace ns)
        {
            throw target is JinjaUndefined undefined ? undefined.Error() : new TemplateException($"cannot assign attribute '{attribute}' on non-namespace object '{name}'");
        }

        ns.Attributes[attribute] = value;
    }
}

/// <summary>Unpacks a sequence into several targets: <c>for key, value in d.items()</c>.</summary>
internal sealed class JinjaTupleTarget(JinjaTarget[] items) : JinjaTarget
{
    public override void Assign(JinjaContext context, JinjaScope scope, object? value)
    {
        var values = JinjaOps.Iterate(JinjaOps.Undefined(value));
        if (values.Count != items.Length)
        {
            throw new TemplateException(values.Count < items.Length
                ? $"not enough values to unpack (expected {items.Length}, got {values.Count})"
                : $"too many values to unpack (expected {items.Length})");
        }

        for (var i = 0; i < items.Length; i++)
        {
            items[i].Assign(context, scope, values[i]);
        }
    }
}

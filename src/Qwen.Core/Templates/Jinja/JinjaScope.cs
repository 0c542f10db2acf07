namespace Qwen.Core;

/// <summary>One level of variables: the template's top level, a loop iteration, a macro call, a <c>with</c> block. Lookups fall through to the parent.</summary>
internal sealed class JinjaScope
{
    private Dictionary<string, object?>? _variables;

    public JinjaScope(JinjaScope? parent) => Parent = parent;

    public JinjaScope? Parent { get; }

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables is not null && scope._variables.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    public void Set(string name, object? value) => (_variables ??= new(StringComparer.Ordinal))[name] = value;
}

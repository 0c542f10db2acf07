namespace Qwen.Core;

/// <summary>What a dict's <c>keys()</c>, <c>values()</c> and <c>items()</c> return in Python: iterable again and again, sized, but not indexable.</summary>
internal sealed class JinjaView(string typeName, List<object?> items)
{
    public string TypeName { get; } = typeName;

    public List<object?> Items { get; } = items;
}

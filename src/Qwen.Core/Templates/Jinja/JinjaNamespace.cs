namespace Qwen.Core;

/// <summary>The object <c>namespace(...)</c> returns: the one value whose attributes a template may assign (<c>{% set ns.x = ... %}</c>), so state can leave a loop.</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

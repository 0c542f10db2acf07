using System.Text;

namespace Qwen.Core;

/// <summary>What <c>break</c>/<c>continue</c> asks the enclosing loop to do.</summary>
internal enum JinjaLoopControl
{
    None,
    Break,
    Continue,
}

/// <summary>The state of one render: output, current scope, loop control, limits. One per render, so a parsed template can render on many threads at once.</summary>
internal sealed class JinjaContext
{
    /// <summary>Loop iterations a render may run before it is stopped, so a template cannot hang the process.</summary>
    public const long MaxSteps = 50_000_000;

    /// <summary>Nested macro calls a render may make (Python's recursion limit stops Jinja2 near here too).</summary>
    public const int MaxCallDepth = 200;

    public JinjaContext(JinjaScope scope, TimeProvider time)
    {
        Scope = scope;
        Time = time;
    }

    public StringBuilder Output { get; set; } = new();

    public JinjaScope Scope { get; set; }

    public JinjaLoopControl Control { get; set; }

    public TimeProvider Time { get; }

    public int CallDepth { get; set; }

    private long Steps { get; set; }

    public void Step()
    {
        if (++Steps > MaxSteps)
        {
            throw new TemplateException($"the template ran more than {MaxSteps:N0} loop iterations and was stopped");
        }
    }

    public object? Lookup(string name)
    {
        if (Scope.TryGet(name, out var value))
        {
            return value;
        }

        return JinjaGlobals.TryGet(name, out var global) ? global : JinjaUndefined.Variable(name);
    }

    /// <summary>Renders <paramref name="body"/> into a fresh buffer in <paramref name="scope"/> and returns the text.</summary>
    public string Capture(JinjaScope scope, IReadOnlyList<JinjaNode> body)
    {
        var (output, saved, control) = (Output, Scope, Control);
        Output = new StringBuilder();
        Scope = scope;
        Control = JinjaLoopControl.None;
        try
        {
            JinjaNode.ExecuteAll(body, this);
            return Output.ToString();
        }
        finally
        {
            (Output, Scope, Control) = (output, saved, control);
        }
    }
}

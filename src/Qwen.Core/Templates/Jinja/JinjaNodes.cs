using System.Runtime.CompilerServices;
using System.Text;

namespace Qwen.Core;

/// <summary>A statement of the template's syntax tree: text, <c>{{ ... }}</c>, or a <c>{% ... %}</c> block. Immutable once parsed.</summary>
internal abstract class JinjaNode(JinjaToken at) : JinjaSyntax(at)
{
    public static void ExecuteAll(IReadOnlyList<JinjaNode> body, JinjaContext context)
    {
        foreach (var node in body)
        {
            node.Execute(context);
            if (context.Control != JinjaLoopControl.None)
            {
                return;
            }
        }
    }

    public void Execute(JinjaContext context)
    {
        try
        {
            Run(context);
        }
        catch (Exception e) when (NeedsPosition(e))
        {
            throw Locate(e);
        }
    }

    protected abstract void Run(JinjaContext context);
}

/// <summary>Literal template text.</summary>
internal sealed class JinjaTextNode(JinjaToken at) : JinjaNode(at)
{
    private readonly string _text = at.Value;

    protected override void Run(JinjaContext context) => context.Output.Append(_text);
}

/// <summary><c>{{ expr }}</c> (or <c>{% print a, b %}</c>): writes <c>str()</c> of each value.</summary>
internal sealed class JinjaOutputNode(JinjaToken at, JinjaExpr[] values) : JinjaNode(at)
{
    protected override void Run(JinjaContext context)
    {
        foreach (var value in values)
        {
            context.Output.Append(JinjaOps.ToStr(value.Evaluate(context)));
        }
    }
}

/// <summary><c>{% if %}...{% elif %}...{% else %}...{% endif %}</c>. Does not open a scope, as in Jinja.</summary>
internal sealed class JinjaIfNode(JinjaToken at, (JinjaExpr Test, JinjaNode[] Body)[] branches, JinjaNode[] otherwise) : JinjaNode(at)
{
    protected override void Run(JinjaContext context)
    {
        foreach (var (test, body) in branches)
        {
            if (JinjaOps.IsTruthy(test.Evaluate(context)))
            {
                ExecuteAll(body, context);
                return;
            }
        }

        ExecuteAll(otherwise, context);
    }
}

/// <summary><c>{% for target in items [if test] [recursive] %}...{% else %}...{% endfor %}</c>. Each iteration gets its own scope, as in Jinja.</summary>
internal sealed class JinjaForNode(JinjaToken at, JinjaTarget target, JinjaExpr items, JinjaExpr? filter, bool recursive, JinjaNode[] body, JinjaNode[] otherwise)
    : JinjaNode(at)
{
    protected override void Run(JinjaContext context) => Loop(context, items.Evaluate(context), 0);

    private void Loop(JinjaContext context, object? source, int depth0)
    {
        var outer = context.Scope;
        try
        {
            var all = JinjaOps.Iterate(source);
            var selected = filter is null ? all : Select(context, outer, all);
            if (selected.Count == 0)
            {
                context.Scope = new JinjaScope(outer);
                ExecuteAll(otherwise, context);
                return;
            }

            var loop = new JinjaLoop(selected, depth0, recursive ? Recurse : null);
            for (var i = 0; i < selected.Count; i++)
            {
                context.Step();
                loop.Index0 = i;
                var scope = new JinjaScope(outer);
                scope.Set("loop", loop);
                target.Assign(context, scope, selected[i]);
                context.Scope = scope;
                ExecuteAll(body, context);
                var control = context.Control;
                context.Control = JinjaLoopControl.None;
                if (control == JinjaLoopControl.Break)
                {
                    break;
                }
            }
        }
        finally
        {
            context.Scope = outer;
        }
    }

    private List<object?> Select(JinjaContext context, JinjaScope outer, IReadOnlyList<object?> all)
    {
        var selected = new List<object?>();
        foreach (var item in all)
        {
            context.Step();
            var scope = new JinjaScope(outer);
            target.Assign(context, scope, item);
            context.Scope = scope;
            if (JinjaOps.IsTruthy(filter!.Evaluate(context)))
            {
                selected.Add(item);
            }
        }

        context.Scope = outer;
        return selected;
    }

    private string Recurse(JinjaContext context, object? source, int depth0)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var output = context.Output;
        context.Output = new StringBuilder();
        try
        {
            Loop(context, source, depth0);
            return context.Output.ToString();
        }
        finally
        {
            context.Output = output;
        }
    }
}

/// <summary><c>{% set target = value %}</c>, including <c>{% set ns.attr = value %}</c> and tuple unpacking.</summary>
internal sealed class JinjaSetNode(JinjaToken at, JinjaTarget target, JinjaExpr value) : JinjaNode(at)
{
    protected override void Run(JinjaContext context) => target.Assign(context, context.Scope, value.Evaluate(context));
}

/// <summary><c>{% set target [| filters] %}...{% endset %}</c>: assigns the rendered body.</summary>
internal sealed class JinjaSetBlockNode(JinjaToken at, JinjaTarget target, JinjaFilterExpr? filter, JinjaNode[] body) : JinjaNode(at)
{
    protected override void Run(JinjaContext context)
    {
        object? text = context.Capture(new JinjaScope(context.Scope), body);
        target.Assign(context, context.Scope, filter is null ? text : filter.Apply(context, text));
    }
}

/// <summary><c>{% filter name %}...{% endfilter %}</c>: writes the body passed through the filters.</summary>
internal sealed class JinjaFilterBlockNode(JinjaToken at, JinjaFilterExpr filter, JinjaNode[] body) : JinjaNode(at)
{
    protected override void Run(JinjaContext context)
    {
        var text = context.Capture(new JinjaScope(context.Scope), body);
        context.Output.Append(JinjaOps.ToStr(filter.Apply(context, text)));
    }
}

/// <summary><c>{% with a = 1, b = 2 %}...{% endwith %}</c>.</summary>
internal sealed class JinjaWithNode(JinjaToken at, (JinjaTarget Target, JinjaExpr Value)[] assignments, JinjaNode[] body) : JinjaNode(at)
{
    protected override void Run(JinjaContext context)
    {
        var outer = context.Scope;
        var scope = new JinjaScope(outer);
        foreach (var (target, value) in assignments)
        {
            target.Assign(context, scope, value.Evaluate(context));
        }

        context.Scope = scope;
        try
        {
            ExecuteAll(body, context);
        }
        finally
        {
            context.Scope = outer;
        }
    }
}

/// <summary>The parameters of a macro or of a <c>{% call(...) %}</c> block.</summary>
internal sealed record JinjaSignature(string Name, string[] Parameters, JinjaExpr?[] Defaults, JinjaNode[] Body);

/// <summary><c>{% macro name(params) %}...{% endmacro %}</c>: defines a callable in the current scope.</summary>
internal sealed class JinjaMacroNode(JinjaToken at, JinjaSignature signature) : JinjaNode(at)
{
    protected override void Run(JinjaContext context) => context.Scope.Set(signature.Name, new JinjaMacro(signature, context.Scope));
}

/// <summary><c>{% call [(params)] macro(args) %}...{% endcall %}</c>: calls the macro with the body as <c>caller</c>.</summary>
internal sealed class JinjaCallBlockNode(JinjaToken at, JinjaCallExpr call, JinjaSignature caller) : JinjaNode(at)
{
    protected override void Run(JinjaContext context)
    {
        var callable = new JinjaMacro(caller, context.Scope);
        context.Output.Append(JinjaOps.ToStr(call.Call(context, new KeyValuePair<string, object?>("caller", callable))));
    }
}

/// <summary><c>{% break %}</c> / <c>{% continue %}</c> (Jinja's loopcontrols extension, which transformers enables).</summary>
internal sealed class JinjaLoopControlNode(JinjaToken at, JinjaLoopControl control) : JinjaNode(at)
{
    protected override void Run(JinjaContext context) => context.Control = control;
}

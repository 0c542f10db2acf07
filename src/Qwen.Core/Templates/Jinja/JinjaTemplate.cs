namespace Qwen.Core;

/// <summary>A parsed Jinja template: parse once, render many times, from any number of threads at once.</summary>
internal sealed class JinjaTemplate
{
    private readonly JinjaNode[] _body;

    private JinjaTemplate(JinjaNode[] body) => _body = body;

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="TemplateException">A syntax error or an unsupported construct, with its line and column.</exception>
    public static JinjaTemplate Parse(string source) => new(JinjaParser.Parse(JinjaLexer.Tokenize(source)));

    /// <summary>Renders with <paramref name="variables"/> (already template values) as the top-level variables.</summary>
    /// <exception cref="TemplateException">The template failed while rendering.</exception>
    public string Render(IEnumerable<KeyValuePair<string, object?>> variables, TimeProvider time)
    {
        var globals = new JinjaScope(null);
        foreach (var (name, value) in variables)
        {
            globals.Set(name, value);
        }

        var context = new JinjaContext(new JinjaScope(globals), time);
        JinjaNode.ExecuteAll(_body, context);
        return context.Output.ToString();
    }
}

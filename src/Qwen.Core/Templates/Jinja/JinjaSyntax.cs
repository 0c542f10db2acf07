namespace Qwen.Core;

/// <summary>A node of the template's syntax tree (expression or statement): where it stands in the source, for error messages.</summary>
internal abstract class JinjaSyntax
{
    protected JinjaSyntax(JinjaToken at)
    {
        Line = at.Line;
        Column = at.Column;
    }

    public int Line { get; }

    public int Column { get; }

    /// <summary>Whether <paramref name="error"/> is one this node should locate: a template error without a position, an integer overflow, a too-deep stack.</summary>
    protected static bool NeedsPosition(Exception error) =>
        error is TemplateException { Line: null } or OverflowException or InsufficientExecutionStackException;

    /// <summary>The error as a <see cref="TemplateException"/> located at this node.</summary>
    protected TemplateException Locate(Exception error) => error switch
    {
        TemplateException e => e.At(Line, Column),
        OverflowException => new TemplateException("integer overflow: the value does not fit in 64 bits", Line, Column),
        _ => new TemplateException("the template nests too deeply", Line, Column),
    };
}

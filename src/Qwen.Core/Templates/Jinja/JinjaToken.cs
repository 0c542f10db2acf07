namespace Qwen.Core;

/// <summary>Kinds of token the Jinja lexer produces.</summary>
internal enum JinjaTokenKind
{
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    EndOfTemplate,
}

/// <summary>One token of a Jinja template, with its 1-based position in the (newline-normalized) source.</summary>
/// <param name="Kind">What kind of token.</param>
/// <param name="Value">The text: literal text, a name, an operator, or a string literal's decoded value.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Number">The value of an integer (<see cref="long"/>) or float (<see cref="double"/>) literal.</param>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, int Line, int Column, object? Number = null)
{
    public bool Is(JinjaTokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string name) => Kind == JinjaTokenKind.Name && Value == name;

    public bool IsOperator(string op) => Kind == JinjaTokenKind.Operator && Value == op;

    /// <summary>Describes the token for a syntax error message.</summary>
    public string Describe() => Kind switch
    {
        JinjaTokenKind.EndOfTemplate => "end of template",
        JinjaTokenKind.BlockEnd => "end of statement block",
        JinjaTokenKind.VariableEnd => "end of print statement",
        JinjaTokenKind.BlockBegin => "begin of statement block",
        JinjaTokenKind.VariableBegin => "begin of print statement",
        JinjaTokenKind.Text => "template data",
        JinjaTokenKind.String => "string literal",
        _ => $"'{Value}'",
    };
}

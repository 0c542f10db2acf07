using System.Runtime.CompilerServices;

namespace Qwen.Core;

/// <summary>
/// Builds the syntax tree from tokens with Jinja2's grammar and operator precedence (its <c>parser.py</c>, rule for rule),
/// for the statements chat templates use. Statements Jinja has but a chat template cannot use here (<c>include</c>, <c>extends</c>, ...)
/// are rejected with their name and position.
/// </summary>
internal sealed class JinjaParser
{
    private const int MaxNesting = 256;

    private static readonly Dictionary<string, string> UnsupportedTags = new(StringComparer.Ordinal)
    {
        ["extends"] = "template inheritance needs other template files",
        ["block"] = "template inheritance needs other template files",
        ["include"] = "including needs other template files",
        ["import"] = "importing needs other template files",
        ["from"] = "importing needs other template files",
        ["autoescape"] = "HTML autoescaping is off for chat templates",
        ["do"] = "the 'do' extension is not enabled for chat templates (as in transformers)",
        ["trans"] = "the i18n extension is not enabled for chat templates",
        ["pluralize"] = "the i18n extension is not enabled for chat templates",
        ["debug"] = "the debug extension is not enabled for chat templates",
    };

    private readonly List<JinjaToken> _tokens;
    private int _index;
    private int _loopDepth;
    private int _nesting;

    private JinjaParser(List<JinjaToken> tokens) => _tokens = tokens;

    private JinjaToken Current => _tokens[_index];

    /// <summary>Parses a whole template.</summary>
    /// <exception cref="TemplateException">A syntax error or an unsupported statement.</exception>
    public static JinjaNode[] Parse(List<JinjaToken> tokens)
    {
        var parser = new JinjaParser(tokens);
        return [.. parser.Subparse(null, null)];
    }

    private JinjaToken Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private JinjaToken Next()
    {
        var token = Current;
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }

        return token;
    }

    private bool IsOperator(string op) => Current.IsOperator(op);

    private bool SkipOperator(string op)
    {
        if (!IsOperator(op))
        {
            return false;
        }

        Next();
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name))
        {
            return false;
        }

        Next();
        return true;
    }

    private JinjaToken ExpectOperator(string op) =>
        IsOperator(op) ? Next() : throw Fail($"expected '{op}', got {Current.Describe()}", Current);

    private JinjaToken Expect(JinjaTokenKind kind, string what) =>
        Current.Kind == kind ? Next() : throw Fail($"expected {what}, got {Current.Describe()}", Current);

    private JinjaToken ExpectName(string name) =>
        Current.IsName(name) ? Next() : throw Fail($"expected '{name}', got {Current.Describe()}", Current);

    private static TemplateException Fail(string message, JinjaToken at) => new($"syntax error: {message}", at.Line, at.Column);

    private List<JinjaNode> Subparse(string[]? endTags, JinjaToken? opener)
    {
        var body = new List<JinjaNode>();
        while (Current.Kind != JinjaTokenKind.EndOfTemplate)
        {
            var token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.Text:
                    body.Add(new JinjaTextNode(Next()));
                    break;
                case JinjaTokenKind.VariableBegin:
                    Next();
                    body.Add(new JinjaOutputNode(token, [ParseTuple()]));
                    Expect(JinjaTokenKind.VariableEnd, "'}}'");
                    break;
                case JinjaTokenKind.BlockBegin:
                    Next();
                    if (endTags is not null && Current.Kind == JinjaTokenKind.Name && endTags.Contains(Current.Value))
                    {
                        return body;
                    }

                    ParseStatement(body);
                    Expect(JinjaTokenKind.BlockEnd, "'%}'");
                    break;
                default:
                    throw Fail($"unexpected {token.Describe()}", token);
            }
        }

        if (endTags is not null)
        {
            var wanted = string.Join(" or ", endTags.Select(t => $"'{t}'"));
            throw Fail($"unexpected end of template: the '{opener?.Value}' block opened here needs {wanted}", opener ?? Current);
        }

        return body;
    }

    /// <summary>Parses a statement's body up to one of <paramref name="endTags"/>, leaving the end tag's name as the current token.</summary>
    private JinjaNode[] ParseBody(JinjaToken opener, string[] endTags, bool dropEndTag)
    {
        SkipOperator(":");
        Expect(JinjaTokenKind.BlockEnd, "'%}'");
        var body = Subparse(endTags, opener);
        if (dropEndTag)
        {
            Next();
        }

        return [.. body];
    }

    private void ParseStatement(List<JinjaNode> body)
    {
        var token = Current;
        if (token.Kind != JinjaTokenKind.Name)
        {
            throw Fail($"tag name expected, got {token.Describe()}", token);
        }

        if (++_nesting > MaxNesting)
        {
            throw Fail("blocks nested too deeply", token);
        }

        try
        {
            switch (token.Value)
            {
                case "if":
                    body.Add(ParseIf());
                    break;
                case "for":
                    body.Add(ParseFor());
                    break;
                case "set":
                    body.Add(ParseSet());
                    break;
                case "macro":
                    body.Add(ParseMacro());
                    break;
                case "call":
                    body.Add(ParseCallBlock());
                    break;
                case "filter":
                    Next();
                    var filter = ParseFilter(null, startInline: true)!;
                    body.Add(new JinjaFilterBlockNode(token, filter, ParseBody(token, ["endfilter"], dropEndTag: true)));
                    break;
                case "with":
                    body.Add(ParseWith());
                    break;
                case "print":
                    Next();
                    var values = new List<JinjaExpr>();
                    while (Current.Kind != JinjaTokenKind.BlockEnd)
                    {
                        if (values.Count > 0)
                        {
                            ExpectOperator(",");
                        }

                        values.Add(ParseExpression());
                    }

                    body.Add(new JinjaOutputNode(token, [.. values]));
                    break;
                case "break" or "continue":
                    Next();
                    if (_loopDepth == 0)
                    {
                        throw Fail($"'{token.Value}' outside of a loop", token);
                    }

                    body.Add(new JinjaLoopControlNode(token, token.Value == "break" ? JinjaLoopControl.Break : JinjaLoopControl.Continue));
                    break;
                case "generation":
                    // transformers' AssistantTracker extension: marks assistant text for masks; the rendered text is the body unchanged.
                    Next();
                    body.AddRange(ParseBody(token, ["endgeneration"], dropEndTag: true));
                    break;
                default:
                    if (UnsupportedTags.TryGetValue(token.Value, out var why))
                    {
                        throw new TemplateException($"unsupported tag '{token.Value}': {why}", token.Line, token.Column);
                    }

                    throw token.Value.StartsWith("end", StringComparison.Ordinal) || token.Value is "else" or "elif"
                        ? Fail($"unexpected tag '{token.Value}': no open block it closes or continues here", token)
                        : new TemplateException($"unsupported tag '{token.Value}': not a Jinja statement this interpreter knows", token.Line, token.Column);
            }
        }
        finally
        {
            _nesting--;
        }
    }

    private JinjaIfNode ParseIf()
    {
        var opener = Next();
        var branches = new List<(JinjaExpr, JinjaNode[])>();
        while (true)
        {
            var test = ParseTuple(withConditional: false);
            branches.Add((test, ParseBody(opener, ["elif", "else", "endif"], dropEndTag: false)));
            var tag = Next();
            if (tag.Value == "elif")
            {
                continue;
            }

            var otherwise = tag.Value == "else" ? ParseBody(opener, ["endif"], dropEndTag: true) : [];
            return new JinjaIfNode(opener, [.. branches], otherwise);
        }
    }

    private JinjaForNode ParseFor()
    {
        var opener = Next();
        var target = ParseAssignTarget(["in"], withNamespace: false);
        ExpectName("in");
        var items = ParseTuple(withConditional: false, extraEnd: ["recursive"]);
        var filter = SkipName("if") ? ParseExpression() : null;
        var recursive = SkipName("recursive");
        _loopDepth++;
        JinjaNode[] body;
        try
        {
            body = ParseBody(opener, ["endfor", "else"], dropEndTag: false);
        }
        finally
        {
            _loopDepth--;
        }

        var otherwise = Next().Value == "else" ? ParseBody(opener, ["endfor"], dropEndTag: true) : [];
        return new JinjaForNode(opener, target, items, filter, recursive, body, otherwise);
    }

    private JinjaNode ParseSet()
    {
        var opener = Next();
        var target = ParseAssignTarget(null, withNamespace: true);
        if (SkipOperator("="))
        {
            return new JinjaSetNode(opener, target, ParseTuple());
        }

        var filter = IsOperator("|") ? ParseFilter(null, startInline: false) : null;
        return new JinjaSetBlockNode(opener, target, filter, ParseBody(opener, ["endset"], dropEndTag: true));
    }

    private JinjaMacroNode ParseMacro()
    {
        var opener = Next();
        var name = Expect(JinjaTokenKind.Name, "a macro name").Value;
        var (parameters, defaults) = ParseSignature();
        var body = ParseDetachedBody(opener, "endmacro");
        return new JinjaMacroNode(opener, new JinjaSignature(name, parameters, defaults, body));
    }

    private JinjaCallBlockNode ParseCallBlock()
    {
        var opener = Next();
        var (parameters, defaults) = IsOperator("(") ? ParseSignature() : ([], []);
        var call = ParseExpression() as JinjaCallExpr ?? throw Fail("expected a call after 'call'", opener);
        var body = ParseDetachedBody(opener, "endcall");
        return new JinjaCallBlockNode(opener, call, new JinjaSignature("caller", parameters, defaults, body));
    }

    /// <summary>A macro's or call block's body: <c>break</c> there cannot reach a loop outside it.</summary>
    private JinjaNode[] ParseDetachedBody(JinjaToken opener, string endTag)
    {
        var loopDepth = _loopDepth;
        _loopDepth = 0;
        try
        {
            return ParseBody(opener, [endTag], dropEndTag: true);
        }
        finally
        {
            _loopDepth = loopDepth;
        }
    }

    private (string[] Parameters, JinjaExpr?[] Defaults) ParseSignature()
    {
        ExpectOperator("(");
        var parameters = new List<string>();
        var defaults = new List<JinjaExpr?>();
        while (!IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }

            var name = Expect(JinjaTokenKind.Name, "a parameter name");
            parameters.Add(name.Value);
            if (SkipOperator("="))
            {
                defaults.Add(ParseExpression());
            }
            else if (defaults.Any(d => d is not null))
            {
                throw Fail("non-default argument follows default argument", name);
            }
            else
            {
                defaults.Add(null);
            }
        }

        ExpectOperator(")");
        return ([.. parameters], [.. defaults]);
    }

    private JinjaWithNode ParseWith()
    {
        var opener = Next();
        var assignments = new List<(JinjaTarget, JinjaExpr)>();
        while (Current.Kind != JinjaTokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
            {
                ExpectOperator(",");
            }

            var target = ParseAssignTarget(null, withNamespace: false);
            ExpectOperator("=");
            assignments.Add((target, ParseExpression()));
        }

        return new JinjaWithNode(opener, [.. assignments], ParseBody(opener, ["endwith"], dropEndTag: true));
    }

    private JinjaTarget ParseAssignTarget(string[]? extraEnd, bool withNamespace)
    {
        var (items, isTuple) = ParseTupleItems(extraEnd, () => ParseTargetPrimary(withNamespace));

        if (items.Count == 0)
        {
            throw Fail($"expected a name to assign to, got {Current.Describe()}", Current);
        }

        return isTuple ? new JinjaTupleTarget([.. items]) : items[0];
    }

    private JinjaTarget ParseTargetPrimary(bool withNamespace)
    {
        var token = Current;
        if (token.Kind == JinjaTokenKind.Name)
        {
            if (token.Value is "true" or "false" or "none" or "True" or "False" or "None")
            {
                throw Fail($"can't assign to '{token.Value}'", token);
            }

            Next();
            if (withNamespace && IsOperator("."))
            {
                Next();
                return new JinjaNamespaceTarget(token.Value, Expect(JinjaTokenKind.Name, "an attribute name").Value);
            }

            return new JinjaNameTarget(token.Value);
        }

        if (SkipOperator("("))
        {
            var inner = ParseAssignTarget(null, withNamespace);
            ExpectOperator(")");
            return inner;
        }

        throw Fail($"can't assign to {token.Describe()}", token);
    }

    /// <summary>Jinja's tuple loop: items separated by commas up to the end of the tag, a ')' or an <paramref name="extraEnd"/> name; a comma makes it a tuple.</summary>
    private (List<T> Items, bool IsTuple) ParseTupleItems<T>(string[]? extraEnd, Func<T> parseItem)
    {
        var items = new List<T>();
        while (true)
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
            }

            if (IsTupleEnd(extraEnd))
            {
                return (items, items.Count > 0);
            }

            items.Add(parseItem());
            if (!IsOperator(","))
            {
                return (items, items.Count > 1);
            }
        }
    }

    private bool IsTupleEnd(string[]? extraEnd) =>
        Current.Kind is JinjaTokenKind.VariableEnd or JinjaTokenKind.BlockEnd or JinjaTokenKind.EndOfTemplate
        || IsOperator(")")
        || (extraEnd is not null && Current.Kind == JinjaTokenKind.Name && extraEnd.Contains(Current.Value));

    private JinjaExpr ParseTuple(bool withConditional = true, string[]? extraEnd = null, bool explicitParentheses = false)
    {
        var start = Current;
        var (items, isTuple) = ParseTupleItems(extraEnd, () => withConditional ? ParseConditional() : ParseOr());

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!explicitParentheses)
            {
                throw Fail($"expected an expression, got {Current.Describe()}", Current);
            }
        }

        return new JinjaTupleExpr(start, [.. items]);
    }

    private JinjaExpr ParseExpression(bool withConditional = true) => withConditional ? ParseConditional() : ParseOr();

    private JinjaExpr ParseConditional()
    {
        var start = Current;
        var expr = ParseOr();
        while (SkipName("if"))
        {
            var test = ParseOr();
            var otherwise = SkipName("else") ? ParseConditional() : null;
            expr = new JinjaConditionalExpr(start, test, expr, otherwise);
        }

        return expr;
    }

    private JinjaExpr ParseOr() => ParseLogic("or", ParseAnd);

    private JinjaExpr ParseAnd() => ParseLogic("and", ParseNot);

    private JinjaExpr ParseLogic(string keyword, Func<JinjaExpr> operand)
    {
        var start = Current;
        var left = operand();
        while (SkipName(keyword))
        {
            left = new JinjaLogicExpr(start, isAnd: keyword == "and", left, operand());
        }

        return left;
    }

    private JinjaExpr ParseNot()
    {
        if (Current.IsName("not"))
        {
            var token = Next();
            return new JinjaUnaryExpr(token, "not", ParseNot());
        }

        return ParseCompare();
    }

    private JinjaExpr ParseCompare()
    {
        var start = Current;
        var first = ParseMath1();
        var rest = new List<(string, JinjaExpr)>();
        while (true)
        {
            if (Current.Kind == JinjaTokenKind.Operator && Current.Value is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = Next().Value;
                rest.Add((op, ParseMath1()));
            }
            else if (SkipName("in"))
            {
                rest.Add(("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek().IsName("in"))
            {
                Next();
                Next();
                rest.Add(("not in", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new JinjaCompareExpr(start, first, [.. rest]);
    }

    private JinjaExpr ParseMath1() => ParseArithmetic(ParseConcat, "+", "-");

    private JinjaExpr ParseConcat()
    {
        var start = Current;
        var parts = new List<JinjaExpr> { ParseMath2() };
        while (SkipOperator("~"))
        {
            parts.Add(ParseMath2());
        }

        return parts.Count == 1 ? parts[0] : new JinjaConcatExpr(start, [.. parts]);
    }

    private JinjaExpr ParseMath2() => ParseArithmetic(ParsePow, "*", "/", "//", "%");

    private JinjaExpr ParsePow() => ParseArithmetic(() => ParseUnary(withFilter: true), "**");

    /// <summary>One left-associative level of binary operators.</summary>
    private JinjaExpr ParseArithmetic(Func<JinjaExpr> operand, params string[] operators)
    {
        var start = Current;
        var left = operand();
        while (Current.Kind == JinjaTokenKind.Operator && operators.Contains(Current.Value))
        {
            var op = Next().Value;
            left = new JinjaBinaryExpr(start, op, left, operand());
        }

        return left;
    }

    private JinjaExpr ParseUnary(bool withFilter)
    {
        // Every level of nesting passes here: the guard makes a pathological template a TemplateException, not a stack overflow.
        var token = Current;
        if (++_nesting > MaxNesting)
        {
            throw Fail("expression nested too deeply", token);
        }

        try
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            JinjaExpr node;
            if (token.IsOperator("-") || token.IsOperator("+"))
            {
                Next();
                node = new JinjaUnaryExpr(token, token.Value, ParseUnary(withFilter: false));
            }
            else
            {
                node = ParsePrimary();
            }

            node = ParsePostfix(node);
            return withFilter ? ParsePostfix(node, filters: true) : node;
        }
        catch (InsufficientExecutionStackException)
        {
            throw Fail("expression nested too deeply", token);
        }
        finally
        {
            _nesting--;
        }
    }

    private JinjaExpr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                Next();
                return token.Value switch
                {
                    "true" or "True" => new JinjaConstExpr(token, true),
                    "false" or "False" => new JinjaConstExpr(token, false),
                    "none" or "None" => new JinjaConstExpr(token, null),
                    _ => new JinjaNameExpr(token, token.Value),
                };
            case JinjaTokenKind.String:
                var text = Next().Value;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    text += Next().Value;
                }

                return new JinjaConstExpr(token, text);
            case JinjaTokenKind.Integer or JinjaTokenKind.Float:
                Next();
                return new JinjaConstExpr(token, token.Number);
            case JinjaTokenKind.Operator when token.Value == "(":
                Next();
                var inner = ParseTuple(explicitParentheses: true);
                ExpectOperator(")");
                return inner;
            case JinjaTokenKind.Operator when token.Value == "[":
                return ParseList();
            case JinjaTokenKind.Operator when token.Value == "{":
                return ParseDict();
            default:
                throw Fail($"unexpected {token.Describe()}", token);
        }
    }

    private JinjaListExpr ParseList()
    {
        var start = Current;
        var items = new List<JinjaExpr>();
        ParseCommaList("[", "]", () => items.Add(ParseExpression()));
        return new JinjaListExpr(start, [.. items]);
    }

    private JinjaDictExpr ParseDict()
    {
        var start = Current;
        var pairs = new List<(JinjaExpr, JinjaExpr)>();
        ParseCommaList("{", "}", () =>
        {
            var key = ParseExpression();
            ExpectOperator(":");
            pairs.Add((key, ParseExpression()));
        });
        return new JinjaDictExpr(start, [.. pairs]);
    }

    /// <summary>Items between <paramref name="open"/> and <paramref name="close"/>, separated by commas, a trailing comma allowed.</summary>
    private void ParseCommaList(string open, string close, Action parseItem)
    {
        ExpectOperator(open);
        for (var count = 0; !IsOperator(close); count++)
        {
            if (count > 0)
            {
                ExpectOperator(",");
                if (IsOperator(close))
                {
                    break;
                }
            }

            parseItem();
        }

        ExpectOperator(close);
    }

    /// <summary>Jinja's <c>parse_postfix</c> (<c>.name</c>, <c>[key]</c>, calls) or, with <paramref name="filters"/>, its <c>parse_filter_expr</c> (<c>| filter</c>, <c>is test</c>, calls).</summary>
    private JinjaExpr ParsePostfix(JinjaExpr node, bool filters = false)
    {
        while (true)
        {
            if (!filters && (IsOperator(".") || IsOperator("[")))
            {
                node = ParseSubscript(node);
            }
            else if (filters && IsOperator("|"))
            {
                node = ParseFilter(node, startInline: false)!;
            }
            else if (filters && Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private JinjaExpr ParseSubscript(JinjaExpr node)
    {
        var token = Next();
        if (token.Value == ".")
        {
            var attribute = Next();
            return attribute.Kind switch
            {
                JinjaTokenKind.Name => new JinjaAttributeExpr(token, node, attribute.Value),
                JinjaTokenKind.Integer => new JinjaItemExpr(token, node, new JinjaConstExpr(attribute, attribute.Number)),
                _ => throw Fail($"expected a name or number after '.', got {attribute.Describe()}", attribute),
            };
        }

        var keys = new List<JinjaExpr>();
        while (!IsOperator("]"))
        {
            if (keys.Count > 0)
            {
                ExpectOperator(",");
            }

            keys.Add(ParseSubscribed());
        }

        ExpectOperator("]");
        return new JinjaItemExpr(token, node, keys.Count == 1 ? keys[0] : new JinjaTupleExpr(token, [.. keys]));
    }

    private JinjaExpr ParseSubscribed()
    {
        var start = Current;
        JinjaExpr? lower = null;
        if (!SkipOperator(":"))
        {
            lower = ParseExpression();
            if (!SkipOperator(":"))
            {
                return lower;
            }
        }

        JinjaExpr? upper = null;
        JinjaExpr? step = null;
        if (!IsOperator(":") && !IsOperator("]") && !IsOperator(","))
        {
            upper = ParseExpression();
        }

        if (SkipOperator(":") && !IsOperator("]") && !IsOperator(","))
        {
            step = ParseExpression();
        }

        return new JinjaSliceExpr(start, lower, upper, step);
    }

    private JinjaCallArgs ParseCallArgs()
    {
        var open = ExpectOperator("(");
        var positional = new List<JinjaExpr>();
        var named = new List<(string, JinjaExpr)>();
        JinjaExpr? dynamicArgs = null;
        JinjaExpr? dynamicKwargs = null;
        var requireComma = false;
        while (!IsOperator(")"))
        {
            if (requireComma)
            {
                ExpectOperator(",");
                if (IsOperator(")"))
                {
                    break;
                }
            }

            if (SkipOperator("*"))
            {
                Ensure(dynamicArgs is null && dynamicKwargs is null);
                dynamicArgs = ParseExpression();
            }
            else if (SkipOperator("**"))
            {
                Ensure(dynamicKwargs is null);
                dynamicKwargs = ParseExpression();
            }
            else if (Current.Kind == JinjaTokenKind.Name && Peek().IsOperator("="))
            {
                Ensure(dynamicKwargs is null);
                var key = Next().Value;
                Next();
                named.Add((key, ParseExpression()));
            }
            else
            {
                Ensure(dynamicArgs is null && dynamicKwargs is null && named.Count == 0);
                positional.Add(ParseExpression());
            }

            requireComma = true;
        }

        ExpectOperator(")");
        return new JinjaCallArgs([.. positional], [.. named], dynamicArgs, dynamicKwargs);

        void Ensure(bool valid)
        {
            if (!valid)
            {
                throw Fail("invalid syntax for function call expression", open);
            }
        }
    }

    private JinjaCallExpr ParseCall(JinjaExpr node)
    {
        var token = Current;
        return new JinjaCallExpr(token, node, ParseCallArgs());
    }

    private JinjaFilterExpr? ParseFilter(JinjaExpr? node, bool startInline)
    {
        JinjaFilterExpr? result = null;
        while (IsOperator("|") || startInline)
        {
            if (!startInline)
            {
                Next();
            }

            var token = Expect(JinjaTokenKind.Name, "a filter name");
            var name = token.Value;
            while (SkipOperator("."))
            {
                name += "." + Expect(JinjaTokenKind.Name, "a filter name").Value;
            }

            var args = IsOperator("(") ? ParseCallArgs() : JinjaCallArgs.None;
            result = new JinjaFilterExpr(token, node, name, args);
            node = result;
            startInline = false;
        }

        return result;
    }

    private JinjaExpr ParseTest(JinjaExpr node)
    {
        var token = Next();
        var negated = SkipName("not");
        var name = Expect(JinjaTokenKind.Name, "a test name").Value;
        while (SkipOperator("."))
        {
            name += "." + Expect(JinjaTokenKind.Name, "a test name").Value;
        }

        JinjaCallArgs args;
        if (IsOperator("("))
        {
            args = ParseCallArgs();
        }
        else if ((Current.Kind is JinjaTokenKind.Name or JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
                  || IsOperator("(") || IsOperator("[") || IsOperator("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is"))
            {
                throw Fail("you cannot chain multiple tests with 'is'", Current);
            }

            args = new JinjaCallArgs([ParsePostfix(ParsePrimary())], [], null, null);
        }
        else
        {
            args = JinjaCallArgs.None;
        }

        JinjaExpr test = new JinjaTestExpr(token, node, name, args);
        return negated ? new JinjaUnaryExpr(token, "not", test) : test;
    }
}

using System.Text;
using Acornima;
using Acornima.Ast;
using Jint;

namespace Qwen.Tools;

/// <summary>
/// Parses a call's code and makes it re-runnable like a notebook cell: top-level <c>let</c> and <c>const</c> become
/// <c>var</c>, so running <c>const data = ...</c> a second time redefines <c>data</c> instead of failing with
/// "already declared".
/// </summary>
/// <remarks>The keyword is replaced in place and padded to its length, so line and column numbers stay those of the code as written.</remarks>
internal static class TopLevelDeclarations
{
    /// <summary>The code, parsed (and re-parsed once when a declaration was rewritten).</summary>
    /// <exception cref="ParseErrorException">The code does not parse.</exception>
    public static Prepared<Script> Prepare(string code)
    {
        var prepared = Parse(code);
        StringBuilder? rewritten = null;
        foreach (var statement in prepared.Program!.Body)
        {
            if (statement is VariableDeclaration { Kind: VariableDeclarationKind.Let or VariableDeclarationKind.Const } declaration)
            {
                rewritten ??= new StringBuilder(code);
                var keyword = declaration.Kind == VariableDeclarationKind.Let ? 3 : 5;
                rewritten.Remove(declaration.Start, keyword).Insert(declaration.Start, "var".PadRight(keyword));
            }
        }

        return rewritten is null ? prepared : Parse(rewritten.ToString());
    }

    private static Prepared<Script> Parse(string code)
    {
        try
        {
            return Engine.PrepareScript(code, "code");
        }
        catch (ScriptPreparationException e) when (e.InnerException is ParseErrorException parse)
        {
            throw parse;
        }
    }
}

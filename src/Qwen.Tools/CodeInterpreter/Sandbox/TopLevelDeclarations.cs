using System.Text;
using Acornima;
using Acornima.Ast;

namespace Qwen.Tools;

/// <summary>
/// Makes code re-runnable like a notebook cell: top-level <c>let</c> and <c>const</c> become <c>var</c>, so running
/// <c>const data = ...</c> a second time redefines <c>data</c> instead of failing with "already declared".
/// </summary>
/// <remarks>The keyword is replaced in place and padded to its length, so line and column numbers stay those of the code as written.</remarks>
internal static class TopLevelDeclarations
{
    /// <summary>Parses <paramref name="code"/> and rewrites its top-level declarations.</summary>
    /// <exception cref="ParseErrorException">The code does not parse.</exception>
    public static string Rewrite(string code)
    {
        var script = new Parser().ParseScript(code, "code");
        StringBuilder? rewritten = null;
        foreach (var statement in script.Body)
        {
            if (statement is VariableDeclaration { Kind: VariableDeclarationKind.Let or VariableDeclarationKind.Const } declaration)
            {
                rewritten ??= new StringBuilder(code);
                var keyword = declaration.Kind == VariableDeclarationKind.Let ? 3 : 5;
                rewritten.Remove(declaration.Start, keyword).Insert(declaration.Start, "var".PadRight(keyword));
            }
        }

        return rewritten?.ToString() ?? code;
    }
}

using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Qwen.Examples.Tests;

/// <summary>
/// Every C# snippet of the README compiles against the libraries as built, so an API change that leaves the front door
/// stale fails here. Snippets are fragments: the names they use without declaring (the host's <c>builder</c> and
/// <c>app</c>, a chat client <c>qwen</c>, ...) are declared in a preamble, and nothing is run.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    // The ambient names README snippets use without declaring them, declared only where a snippet does not itself.
    private static readonly (string Name, string Declaration)[] Ambient =
    [
        ("builder", "Microsoft.AspNetCore.Builder.WebApplicationBuilder builder = null!;"),
        ("app", "Microsoft.AspNetCore.Builder.WebApplication app = null!;"),
        ("qwen", "IChatClient qwen = null!;"),
        ("chat", "IChatClient chat = null!;"),
        ("chatClient", "IChatClient chatClient = null!;"),
        ("model", "IChatClient model = null!;"),
        ("weather", "AIFunction weather = null!;"),
        ("tools", "IEnumerable<AIFunctionDeclaration> tools = null!;"),
        ("modelOutput", "IEnumerable<string> modelOutput = null!;"),
        ("tokenizer", "Microsoft.ML.Tokenizers.Tokenizer tokenizer = null!;"),
        ("qwenTokenizer", "Microsoft.ML.Tokenizers.Tokenizer qwenTokenizer = null!;"),
    ];

    private static readonly string[] GlobalUsings =
    [
        "System", "System.Collections.Generic", "System.ComponentModel", "System.IO", "System.Linq", "System.Text.Json",
        "System.Threading.Tasks", "Microsoft.Extensions.AI", "Microsoft.Agents.AI", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.AspNetCore.Builder", "Qwen.Core", "Qwen.Runtime", "Qwen.Tools", "Qwen.Agents",
        "Qwen.Server",
    ];

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    public static TheoryData<int, int> Snippets()
    {
        var data = new TheoryData<int, int>();
        foreach (var (index, line, _) in ReadSnippets())
        {
            data.Add(index, line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void ReadmeSnippet_Compiles(int index, int line)
    {
        var code = ReadSnippets().Single(s => s.Index == index).Code;
        var source = Wrap(code);
        var compilation = CSharpCompilation.Create(
            $"ReadmeSnippet{index}",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

        Assert.True(errors.Count == 0, $"README snippet {index} (line {line}) does not compile:\n{string.Join("\n", errors.Take(10))}\n--- as compiled:\n{source}");
    }

    [Fact]
    public void Readme_HasSnippets()
    {
        Assert.True(ReadSnippets().Count >= 10, "the README's csharp blocks were not found");
    }

    /// <summary>The snippet as one program: its using directives first, then the preamble, then the rest of it.</summary>
    private static string Wrap(string code)
    {
        var lines = code.Split('\n');
        var usings = lines.TakeWhile(l => UsingDirective().IsMatch(l) || l.Trim().Length == 0).ToList();
        var body = string.Join('\n', lines.Skip(usings.Count));
        var preamble = Ambient.Where(a => UsesUndeclared(body, a.Name)).Select(a => a.Declaration);
        return string.Concat(GlobalUsings.Select(u => $"global using {u};\n"))
            + string.Join('\n', usings) + "\n"
            + string.Join('\n', preamble) + "\n"
            + body + "\n";
    }

    /// <summary>Whether the code uses <paramref name="name"/> without declaring it (as a local, a parameter or a lambda parameter).</summary>
    private static bool UsesUndeclared(string code, string name) =>
        Regex.IsMatch(code, $@"(?<![\w.]){Regex.Escape(name)}\b")
        && !Regex.IsMatch(code, $@"\b(?!in\b|return\b|await\b|yield\b)[\w<>\[\]?]+\s+{Regex.Escape(name)}\s*(=[^=>]|\)|,)")
        && !Regex.IsMatch(code, $@"\(?\b{Regex.Escape(name)}\)?\s*=>");

    private static List<(int Index, int Line, string Code)> ReadSnippets()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        List<(int, int, string)> snippets = [];
        for (var i = 0; i < readme.Length; i++)
        {
            if (readme[i].Trim() != "```csharp")
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < readme.Length && readme[end].Trim() != "```")
            {
                end++;
            }

            snippets.Add((snippets.Count + 1, start, string.Join('\n', readme[start..end])));
            i = end;
        }

        return snippets;
    }

    /// <summary>The framework (the test runs on it, ASP.NET Core included), every managed assembly beside the test, and
    /// Qwen.Runtime from an example's build output (the test does not reference the runtime, to spare it libtorch's copy).</summary>
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string path)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!paths.ContainsKey(name) && IsManaged(path))
            {
                paths[name] = path;
            }
        }

        foreach (var path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
        {
            Add(path);
        }

        foreach (var path in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
        {
            Add(path);
        }

        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var runtime = Path.Combine(RepositoryRoot(), "examples", "QuickStart", "bin", testBin.Parent!.Name, testBin.Name);
        foreach (var name in new[] { "Qwen.Runtime.dll", "TorchSharp.dll" })
        {
            var path = Path.Combine(runtime, name);
            Assert.True(File.Exists(path), $"{path} is missing: build examples/QuickStart (the test project builds it).");
            Add(path);
        }

        return [.. paths.Values.Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Qwen.Agents.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Qwen.Agents.sln is not above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^using (static )?[A-Za-z_][\w.]*( = [\w.<>]+)?;\s*(//.*)?$")]
    private static partial Regex UsingDirective();
}

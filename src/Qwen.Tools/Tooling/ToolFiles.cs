namespace Qwen.Tools;

/// <summary>Resolves the files a model names for a tool: HTTP(S) URLs as they are, anything else inside the work directory.</summary>
internal static class ToolFiles
{
    public static string Resolve(string workDirectory, string pathOrUrl) =>
        DocumentParser.IsUrl(pathOrUrl) ? pathOrUrl : SafePath.Resolve(workDirectory, pathOrUrl);
}

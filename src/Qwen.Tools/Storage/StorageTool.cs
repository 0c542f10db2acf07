using System.Text;

namespace Qwen.Tools;

/// <summary>
/// The <c>storage</c> tool: <c>put</c>, <c>get</c>, <c>delete</c> and <c>scan</c> of text values under path-like keys, kept in
/// the <c>storage/</c> folder of the work directory.
/// </summary>
public sealed class StorageTool : QwenTool
{
    /// <summary>The tool's name.</summary>
    public const string ToolName = "storage";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "operate": { "type": "string", "enum": ["put", "get", "delete", "scan"], "description": "put stores value under key; get reads it; delete removes it; scan lists every key and value under key." },
            "key": { "type": "string", "description": "A path-like key such as /notes/today; for scan, the folder to list (/ for all)." },
            "value": { "type": "string", "description": "The text to store (put only)." }
          },
          "required": ["operate", "key"],
          "additionalProperties": false
        }
        """;

    private readonly FileStorage _storage;

    /// <summary>Initializes a new instance of the <see cref="StorageTool"/> class.</summary>
    /// <param name="options">The work directory; values go to its <c>storage/</c> folder.</param>
    public StorageTool(ToolOptions options)
        : base(ToolName, "Stores and reads text values by key (put, get, delete, scan), to remember things between steps.", Schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _storage = new FileStorage(Path.Combine(options.WorkDirectoryPath, "storage"));
    }

    /// <inheritdoc />
    protected override async ValueTask<ToolResult> ExecuteAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var operate = arguments.GetString("operate");
        var key = arguments.GetString("key");
        try
        {
            switch (operate)
            {
                case "put":
                    var value = arguments.GetOptionalString("value")
                        ?? throw new ToolArgumentException(ToolName, "value", "Tool 'storage': operate 'put' needs the argument 'value' (the text to store).");
                    await _storage.PutAsync(key, value, cancellationToken).ConfigureAwait(false);
                    return ToolResult.FromText($"Stored the value under '{key}'.");
                case "get":
                    return ToolResult.FromText(await _storage.GetAsync(key, cancellationToken).ConfigureAwait(false));
                case "delete":
                    _storage.Delete(key);
                    return ToolResult.FromText($"Deleted '{key}'.");
                default:
                    var entries = await _storage.ScanAsync(key, cancellationToken).ConfigureAwait(false);
                    if (entries.Count == 0)
                    {
                        return ToolResult.FromText($"No values are stored under '{key}'.");
                    }

                    var text = new StringBuilder();
                    foreach (var (entryKey, entryValue) in entries)
                    {
                        text.Append(entryKey).Append(": ").Append(entryValue).Append('\n');
                    }

                    return ToolResult.FromText(text.ToString().TrimEnd('\n'));
            }
        }
        catch (KeyNotFoundException e)
        {
            return ToolResult.FromError($"Tool 'storage': {e.Message}");
        }
    }
}

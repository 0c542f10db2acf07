using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Storage;

public sealed class StorageToolTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ToolRegistry _registry;

    public StorageToolTests() => _registry = new ToolRegistry([new StorageTool(new ToolOptions { WorkDirectory = _temp.Path })]);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PutGetScanDelete_RoundTrip_Works()
    {
        var put = await Run("""{"operate": "put", "key": "/notes/today", "value": "buy 灯笼"}""");
        await Run("""{"operate": "put", "key": "notes/tomorrow", "value": "rest"}""");
        var get = await Run("""{"operate": "get", "key": "/notes/today"}""");
        var scan = await Run("""{"operate": "scan", "key": "/notes"}""");
        var delete = await Run("""{"operate": "delete", "key": "/notes/today"}""");
        var after = await Run("""{"operate": "scan", "key": "/"}""");

        Assert.Equal("Stored the value under '/notes/today'.", put.Text);
        Assert.Equal("buy 灯笼", get.Text);
        Assert.Equal("/notes/today: buy 灯笼\n/notes/tomorrow: rest", scan.Text);
        Assert.Equal("Deleted '/notes/today'.", delete.Text);
        Assert.Equal("/notes/tomorrow: rest", after.Text);
        Assert.True(File.Exists(_temp.Combine("storage", "notes", "tomorrow")));
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsAClearError()
    {
        var result = await Run("""{"operate": "get", "key": "/nothing/here"}""");

        Assert.True(result.IsError);
        Assert.Equal("Error: Tool 'storage': No value is stored under the key '/nothing/here'.", result.Text);
    }

    [Fact]
    public async Task Delete_MissingKey_ReturnsAClearError()
    {
        var result = await Run("""{"operate": "delete", "key": "ghost"}""");

        Assert.True(result.IsError);
        Assert.Contains("No value is stored under the key 'ghost'", result.Text);
    }

    [Theory]
    [InlineData("../../etc/passwd", "leads outside")]
    [InlineData("/../outside", "leads outside")]
    [InlineData("/", "empty")]
    public async Task Put_KeyThatEscapes_IsRefused(string key, string expected)
    {
        var result = await Run($$"""{"operate": "put", "key": "{{key}}", "value": "x"}""");

        Assert.True(result.IsError);
        Assert.Contains(expected, result.Text);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "..", "outside")));
    }

    [Fact]
    public async Task Put_WithoutValue_NamesTheMissingArgument()
    {
        var result = await Run("""{"operate": "put", "key": "a"}""");

        Assert.True(result.IsError);
        Assert.Contains("'value'", result.Text);
    }

    [Fact]
    public async Task Operate_Unknown_IsASchemaError()
    {
        var result = await Run("""{"operate": "write", "key": "a"}""");

        Assert.Contains("Argument 'operate' must be one of \"put\", \"get\", \"delete\", \"scan\"", result.Text);
    }

    [Fact]
    public async Task Scan_EmptyStore_SaysSo()
    {
        var result = await Run("""{"operate": "scan", "key": "/"}""");

        Assert.False(result.IsError);
        Assert.Equal("No values are stored under '/'.", result.Text);
    }

    private Task<ToolResult> Run(string arguments) => _registry.InvokeAsync("storage", arguments);
}

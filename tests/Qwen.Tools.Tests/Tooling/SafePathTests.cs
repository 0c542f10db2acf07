using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Tooling;

public sealed class SafePathTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("a/b/c.md")]
    [InlineData("a/../b.txt")]
    [InlineData("./x")]
    public void Resolve_PathInside_ReturnsTheFullPathUnderTheWorkDirectory(string relative)
    {
        var full = SafePath.Resolve(_temp.Path, relative);

        Assert.StartsWith(_temp.Path + Path.DirectorySeparatorChar, full);
        Assert.Equal(Path.GetFullPath(Path.Combine(_temp.Path, relative)), full);
    }

    [Theory]
    [InlineData("../../etc/passwd", "leads outside")]
    [InlineData("a/../../x", "leads outside")]
    [InlineData("..", "leads outside")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("", "empty")]
    [InlineData("a\0b", "NUL")]
    public void Resolve_PathThatEscapes_IsRefusedWithAClearMessage(string relative, string expected)
    {
        var error = Assert.Throws<WorkDirectoryAccessException>(() => SafePath.Resolve(_temp.Path, relative));

        Assert.Contains(expected, error.Message);
        Assert.Equal(Path.GetFullPath(_temp.Path), error.WorkDirectory);
    }

    [Fact]
    public void Resolve_SymbolicLinkPointingOutside_IsRefused()
    {
        using var outside = new TempDirectory();
        File.WriteAllText(outside.Combine("secret.txt"), "secret");
        Directory.CreateSymbolicLink(_temp.Combine("link"), outside.Path);

        var error = Assert.Throws<WorkDirectoryAccessException>(() => SafePath.Resolve(_temp.Path, "link/secret.txt"));

        Assert.Contains("symbolic link", error.Message);
    }

    [Fact]
    public void Resolve_SymbolicLinkStayingInside_IsAllowed()
    {
        Directory.CreateDirectory(_temp.Combine("real"));
        Directory.CreateSymbolicLink(_temp.Combine("alias"), _temp.Combine("real"));

        var full = SafePath.Resolve(_temp.Path, "alias/file.txt");

        Assert.Equal(_temp.Combine("alias", "file.txt"), full);
    }
}

namespace Qwen.Runtime.Tests;

/// <summary>Model names: <c>org/name</c> with an optional <c>@revision</c>; anything path-like is not a name.</summary>
public sealed class ModelReferenceTests
{
    [Theory]
    [InlineData("Qwen/Qwen3-0.6B", "Qwen/Qwen3-0.6B", "main")]
    [InlineData("Qwen/Qwen2.5-0.5B-Instruct@v1.0", "Qwen/Qwen2.5-0.5B-Instruct", "v1.0")]
    [InlineData("Qwen/Qwen3-0.6B@refs/pr/1", "Qwen/Qwen3-0.6B", "refs/pr/1")]
    [InlineData("my_org/model_1@0123456789abcdef0123456789abcdef01234567", "my_org/model_1", "0123456789abcdef0123456789abcdef01234567")]
    public void Parse_ValidName_SplitsRepositoryAndRevision(string text, string repoId, string revision)
    {
        var reference = ModelReference.Parse(text);

        Assert.Equal(repoId, reference.RepoId);
        Assert.Equal(revision, reference.Revision);
        Assert.Equal(revision.Length == 40, reference.IsCommit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("qwen3")]
    [InlineData("/models/qwen")]
    [InlineData("./qwen/x")]
    [InlineData("~/models/qwen")]
    [InlineData("a/b/c")]
    [InlineData("C:/models")]
    [InlineData("org/na me")]
    [InlineData("org/-name")]
    [InlineData("org/a--b")]
    [InlineData("org/a..b")]
    [InlineData("org/name@")]
    [InlineData("org/name@../../x")]
    [InlineData("org/name@a b")]
    public void TryParse_NotAName_ReturnsFalse(string text)
    {
        Assert.False(ModelReference.TryParse(text, out _));
        Assert.Throws<ArgumentException>(() => ModelReference.Parse(text));
    }

    [Fact]
    public void ToString_DefaultRevision_IsTheRepositoryAlone()
    {
        Assert.Equal("Qwen/Qwen3-0.6B", new ModelReference("Qwen/Qwen3-0.6B").ToString());
        Assert.Equal("Qwen/Qwen3-0.6B@v2", new ModelReference("Qwen/Qwen3-0.6B", "v2").ToString());
    }
}

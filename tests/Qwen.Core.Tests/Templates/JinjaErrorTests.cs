using Qwen.Core;

namespace Qwen.Core.Tests;

/// <summary>Templates the interpreter cannot or must not run fail with a <see cref="TemplateException"/> that says what and where, never a crash.</summary>
public sealed class JinjaErrorTests
{
    [Theory]
    [InlineData("include")]
    [InlineData("extends")]
    [InlineData("import")]
    [InlineData("do")]
    public void FromSource_UnsupportedTag_NamesTheTagAndItsPosition(string tag)
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromSource($"first line\n  {{% {tag} 'x' %}}"));

        Assert.Contains($"'{tag}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.Equal(6, error.Column);
        Assert.Contains("line 2, column 6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSource_UnknownTag_NamesTheTag()
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromSource("{% frobnicate %}"));

        Assert.Contains("'frobnicate'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSource_SyntaxError_ReportsLineAndColumnOfTheBadToken()
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromSource("ok\n{{ 1 + }}"));

        Assert.StartsWith("syntax error", error.Reason, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.Equal(8, error.Column);
    }

    [Fact]
    public void FromSource_UnclosedBlock_PointsAtTheOpeningTag()
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromSource("a\n{% for x in y %}\nb"));

        Assert.Contains("'endfor'", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void RenderJson_RaiseException_SurfacesTheTemplatesOwnMessage()
    {
        var template = ChatTemplate.FromSource("{% if messages[0].role != 'system' %}\n  {{ raise_exception('System message must be first.') }}\n{% endif %}");

        var error = Assert.Throws<TemplateException>(() => template.RenderJson([new System.Text.Json.Nodes.JsonObject { ["role"] = "user" }]));

        Assert.Equal("System message must be first.", error.Message);
        Assert.True(error.RaisedByTemplate);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void RenderJson_AttributeOfUndefinedVariable_NamesTheVariable()
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromSource("{{ missing.content }}").RenderJson([]));

        Assert.Contains("'missing' is undefined", error.Message, StringComparison.Ordinal);
        Assert.False(error.RaisedByTemplate);
    }

    [Fact]
    public void RenderJson_EndlessMacroRecursion_StopsWithTemplateException()
    {
        var template = ChatTemplate.FromSource("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");

        var error = Assert.Throws<TemplateException>(() => template.RenderJson([]));

        Assert.Contains("'f'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSource_DeeplyNestedExpression_ThrowsInsteadOfOverflowingTheStack()
    {
        var source = "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}";

        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromSource(source));

        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSource_DeeplyNestedBlocks_ThrowsInsteadOfOverflowingTheStack()
    {
        var source = string.Concat(Enumerable.Repeat("{% if true %}", 2000)) + string.Concat(Enumerable.Repeat("{% endif %}", 2000));

        var error = Assert.Throws<TemplateException>(() => ChatTemplate.FromSource(source));

        Assert.Contains("nested too deeply", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("groupby", "not supported")]
    [InlineData("nosuchfilter", "no filter named")]
    public void RenderJson_FilterNotImplemented_NamesTheFilter(string filter, string reason)
    {
        var template = ChatTemplate.FromSource($"{{{{ [1] | {filter} }}}}");

        var error = Assert.Throws<TemplateException>(() => template.RenderJson([]));

        Assert.Contains($"'{filter}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderJson_UnusedBranchWithUnknownFilter_StillRenders()
    {
        var template = ChatTemplate.FromSource("{% if false %}{{ x | nosuchfilter }}{% endif %}ok");

        Assert.Equal("ok", template.RenderJson([]));
    }
}

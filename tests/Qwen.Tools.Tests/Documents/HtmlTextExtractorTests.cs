namespace Qwen.Tools.Tests.Documents;

public sealed class HtmlTextExtractorTests
{
    [Fact]
    public void Extract_UnclosedTags_ClosesThemAsABrowserWould()
    {
        var (_, paragraphs) = HtmlTextExtractor.Extract("<body><p>One<p>Two<ul><li>Alpha<li>Beta</ul><div>Tail");

        Assert.Equal(["One", "Two", "- Alpha", "- Beta", "Tail"], paragraphs.Select(p => p.Text));
    }

    [Fact]
    public void Extract_ScriptContainingEndTags_DropsTheWholeScript()
    {
        const string html = """
            <div><p>Before</p><script>if (a) { document.write("</div><p>injected</p>"); }</script><p>After</p></div>
            <style>p::after { content: "</style-ish>"; }</style><p>Last</p>
            """;

        var (_, paragraphs) = HtmlTextExtractor.Extract(html);

        Assert.Equal(["Before", "After", "Last"], paragraphs.Select(p => p.Text));
    }

    [Fact]
    public void Extract_Entities_AreDecodedOnce()
    {
        var (title, paragraphs) = HtmlTextExtractor.Extract(
            "<title>Q&amp;A &mdash; FAQ</title><p>Fish &amp; chips &lt;3 &copy; caf&eacute; &#x4E2D;&#25991; &amp;lt; AT&T &notanentity;</p>");

        Assert.Equal("Q&A — FAQ", title);
        // As in a browser: "&not" is one of the legacy references that need no semicolon, so "&notanentity;" reads "¬anentity;".
        Assert.Equal("Fish & chips <3 © café 中文 &lt; AT&T ¬anentity;", Assert.Single(paragraphs).Text);
    }

    [Fact]
    public void Extract_TemplateAndNoscript_AreNotVisibleText()
    {
        const string html = """
            <p>Shown</p>
            <template id="row"><p>Template row</p></template>
            <noscript><p>Please enable JavaScript</p></noscript>
            <p aria-hidden="true">Decoration</p><p class="card hidden">Collapsed</p>
            <p>Also shown</p>
            """;

        var (_, paragraphs) = HtmlTextExtractor.Extract(html);

        Assert.Equal(["Shown", "Also shown"], paragraphs.Select(p => p.Text));
    }

    [Fact]
    public void Extract_MisnestedAndStrayEndTags_KeepAllTheText()
    {
        var (_, paragraphs) = HtmlTextExtractor.Extract("</span></div><p><b>bold <i>both</b> italic</i> plain</p></td></table>");

        Assert.Equal("bold both italic plain", Assert.Single(paragraphs).Text);
    }

    [Fact]
    public void Extract_TableWithoutEndTags_StillBecomesAMarkdownTable()
    {
        var (_, paragraphs) = HtmlTextExtractor.Extract("<table><tr><th>Port<th>Range<tr><td>Brest<td>7 m</table><p>After");

        Assert.Equal(["| Port | Range |\n| --- | --- |\n| Brest | 7 m |", "After"], paragraphs.Select(p => p.Text));
    }

    [Fact]
    public void Extract_DeepNesting_KeepsTheInnermostText()
    {
        // The walk uses a stack of its own, not recursion; AngleSharp's tree building is what bounds the depth worth testing here.
        var html = string.Concat(Enumerable.Repeat("<div>", 1_000)) + "deep" + string.Concat(Enumerable.Repeat("</div>", 1_000));

        var (_, paragraphs) = HtmlTextExtractor.Extract(html);

        Assert.Equal("deep", Assert.Single(paragraphs).Text);
    }

    [Fact]
    public void Extract_CancelledToken_Throws()
    {
        var html = string.Concat(Enumerable.Repeat("<p>x</p>", 10_000));

        Assert.Throws<OperationCanceledException>(() => HtmlTextExtractor.Extract(html, new CancellationToken(canceled: true)));
    }
}

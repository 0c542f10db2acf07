namespace Qwen.Runtime.Tests.Generation;

public sealed class StopStringMatcherTests
{
    [Fact]
    public void Push_StopStringSplitAcrossChunks_StopsAndDropsIt()
    {
        var matcher = new StopStringMatcher(["</answer>"]);

        Assert.Equal(("The end", false), matcher.Push("The end</an"));
        Assert.Equal((string.Empty, true), matcher.Push("swer> more"));
    }

    [Fact]
    public void Push_PossiblePrefixThatDoesNotComplete_IsReleasedLater()
    {
        var matcher = new StopStringMatcher(["STOP"]);

        Assert.Equal(("a ", false), matcher.Push("a ST"));
        Assert.Equal((string.Empty, false), matcher.Push("O"));
        Assert.Equal(("STOx", false), matcher.Push("x"));
    }

    [Fact]
    public void Push_TwoStopStrings_TheEarliestWins()
    {
        var matcher = new StopStringMatcher(["bb", "a"]);

        Assert.Equal(("xx", true), matcher.Push("xxabb"));
    }

    [Fact]
    public void Flush_HeldBackText_ComesOut()
    {
        var matcher = new StopStringMatcher(["\n\n"]);

        Assert.Equal(("line", false), matcher.Push("line\n"));
        Assert.Equal("\n", matcher.Flush());
    }
}

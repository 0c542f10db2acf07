using System.Text;
using Qwen.Core;

namespace Qwen.Core.Tests.Text;

public sealed class CjkTextTests
{
    [Theory]
    [InlineData(0x4E2D)] // 中
    [InlineData(0x3042)] // あ
    [InlineData(0x30AB)] // カ
    [InlineData(0xD55C)] // 한
    [InlineData(0x3002)] // 。
    [InlineData(0xFF0C)] // ，
    [InlineData(0x20B9F)] // 𠮟 (extension B)
    [InlineData(0x3105)] // ㄅ (bopomofo)
    public void IsCjk_CjkCharacter_ReturnsTrue(int codePoint) => Assert.True(CjkText.IsCjk(codePoint));

    [Theory]
    [InlineData('a')]
    [InlineData('1')]
    [InlineData(' ')]
    [InlineData('é')]
    [InlineData('\u0416')] // Ж
    [InlineData('\uD840')] // a lone high surrogate
    public void IsCjk_OtherCharacter_ReturnsFalse(char c) => Assert.False(CjkText.IsCjk(c));

    [Fact]
    public void IsCjk_RuneAndCharOverloads_AgreeWithTheCodePoint()
    {
        Assert.True(CjkText.IsCjk(new Rune(0x20B9F)));
        Assert.True(CjkText.IsCjk('中'));
        Assert.False(CjkText.IsCjk(new Rune('x')));
    }
}

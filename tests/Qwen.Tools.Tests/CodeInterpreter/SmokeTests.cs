namespace Qwen.Tools.Tests.CodeInterpreter;

public sealed class SmokeTests
{
    [Fact]
    public async Task Smoke()
    {
        await using var interpreter = new Qwen.Tools.CodeInterpreter(new CodeInterpreterOptions { WorkDirectory = Path.Combine(Path.GetTempPath(), "qwen-smoke") });
        var r1 = await interpreter.ExecuteAsync("a", "var x = 40; console.log('hi', {a: [1,2,{b:3}]}); x + 2");
        Assert.Fail(r1.ToText() + "\n---\n" + (await interpreter.ExecuteAsync("a", "x")).ToText() + "\n---\n" + (await interpreter.ExecuteAsync("a", "\n  null.foo")).ToText());
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Qwen.Tools.Tests;

public sealed class CodeInterpreterSetupTests
{
    [Fact]
    public async Task AddQwenCodeInterpreter_RegistersOneInterpreterWithTheOptionsAndItsTool()
    {
        var folder = TestInterpreters.TemporaryFolder("qwen-ci-di-");
        var services = new ServiceCollection().AddQwenCodeInterpreter(o =>
        {
            o.WorkDirectory = folder;
            o.PrewarmWorker = false;
            o.Timeout = TimeSpan.FromSeconds(5);
        });
        await using var provider = services.BuildServiceProvider();

        var interpreter = provider.GetRequiredService<Qwen.Tools.CodeInterpreter>();
        var tool = provider.GetRequiredService<CodeInterpreterTool>();

        Assert.Same(interpreter, provider.GetRequiredService<Qwen.Tools.CodeInterpreter>());
        Assert.Equal(folder, interpreter.Options.WorkDirectory);
        Assert.Equal(TimeSpan.FromSeconds(5), interpreter.Options.Timeout);
        Assert.Equal("code_interpreter", tool.Name);
    }

    [Theory]
    [InlineData("Timeout", "CodeInterpreterOptions.Timeout must be between 100 ms and 1 hour")]
    [InlineData("MaxSessions", "CodeInterpreterOptions.MaxSessions must be between 1 and 1,024")]
    [InlineData("WorkDirectory", "CodeInterpreterOptions.WorkDirectory must be a folder path")]
    public async Task AddQwenCodeInterpreter_InvalidOptions_FailHostStartNamingTheOption(string setting, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddQwenCodeInterpreter(o =>
        {
            o.PrewarmWorker = false;
            switch (setting)
            {
                case "Timeout": o.Timeout = TimeSpan.FromMilliseconds(1); break;
                case "MaxSessions": o.MaxSessions = 0; break;
                default: o.WorkDirectory = " "; break;
            }
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task SharedWorkDirectory_SessionsWorkInTheSameFolder()
    {
        var folder = TestInterpreters.TemporaryFolder("qwen-ci-shared-");
        await File.WriteAllTextAsync(Path.Combine(folder, "given.txt"), "from the user");
        await using var interpreter = TestInterpreters.Create(o =>
        {
            o.WorkDirectory = folder;
            o.IsolateSessionDirectories = false;
        });

        await interpreter.ExecuteAsync("a", "writeText('from-a.txt', 'a')");
        var result = await interpreter.ExecuteAsync("b", "[readText('given.txt'), readText('from-a.txt')]");

        Assert.Equal(folder, interpreter.GetWorkDirectory("a"));
        Assert.Equal("[ 'from the user', 'a' ]", result.Value);
    }

    [Fact]
    public async Task IsolatedWorkDirectories_AreOneFolderPerSession()
    {
        await using var interpreter = TestInterpreters.Create();

        await interpreter.ExecuteAsync("a", "writeText('mine.txt', 'a')");
        var result = await interpreter.ExecuteAsync("b", "listFiles()");

        Assert.Equal(Path.Combine(interpreter.Options.WorkDirectory, "a"), interpreter.GetWorkDirectory("a"));
        Assert.Equal("[]", result.Value);
    }
}

namespace Qwen.Runtime.Tests.Diagnostics;

/// <summary>The peak-RSS figure of <see cref="RuntimeBenchmark"/>: read from /proc/self/status on Linux, absent elsewhere.</summary>
public sealed class PeakRssTests
{
    [Fact]
    public void PeakRssMegabytes_StatusText_ReadsVmHwmInMegabytes()
    {
        const string Status = "Name:\tdotnet\nVmPeak:\t 9999999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";

        Assert.Equal(200.0, RuntimeBenchmark.PeakRssMegabytes(Status));
    }

    [Theory]
    [InlineData("Name:\tdotnet\nVmRSS:\t  102400 kB\n")]
    [InlineData("VmHWM:\t  lots kB\n")]
    [InlineData("VmHWM:\t  2048 MB\n")]
    [InlineData("")]
    public void PeakRssMegabytes_NoUsableVmHwm_IsNull(string status) => Assert.Null(RuntimeBenchmark.PeakRssMegabytes(status));

    [Fact]
    public async Task RunAsync_ThisProcess_ReportsPeakRssOnLinuxOnly()
    {
        var options = new BenchmarkOptions { PromptTokens = 8, GenTokens = 2, Repeats = 1, Model = new QwenModelOptions { Device = "cpu" } };

        var result = await RuntimeBenchmark.RunAsync(Fixtures.TinyModel("qwen2_tiny"), options);

        if (OperatingSystem.IsLinux())
        {
            // At least the runtime itself is resident, and no more than the machine has.
            Assert.InRange(result.PeakRssMegabytes!.Value, 10, 1 << 20);
        }
        else
        {
            Assert.Null(result.PeakRssMegabytes);
        }
    }
}

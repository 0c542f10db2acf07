namespace Qwen.Runtime.Tests;

/// <summary>Reports on the reporting thread (<see cref="Progress{T}"/> would post later), so a list of reports is complete when the call returns.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

namespace Qwen.Runtime;

/// <summary>Work that <see cref="CpuParallel"/> splits into independent chunks.</summary>
internal interface IChunkJob
{
    /// <summary>Does chunk <paramref name="chunk"/>; chunks may run in any order and concurrently.</summary>
    void Execute(int chunk);
}

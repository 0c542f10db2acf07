namespace Qwen.Tools;

/// <summary>A worker process ended while the host waited for it; <see cref="Exception.Message"/> says why, in words for the session's user.</summary>
internal sealed class WorkerExitedException(string reason) : Exception(reason);

namespace Qwen.Tools;

/// <summary>Why a code interpreter call failed.</summary>
public enum CodeErrorKind
{
    /// <summary>The code threw an error it did not catch (a <c>TypeError</c>, a <c>throw</c> statement, a failed helper call).</summary>
    Exception,

    /// <summary>The code does not parse.</summary>
    Syntax,

    /// <summary>The call ran longer than <see cref="CodeInterpreterOptions.Timeout"/>.</summary>
    Timeout,

    /// <summary>The call executed more statements than <see cref="CodeInterpreterOptions.MaxStatements"/>.</summary>
    StatementLimit,

    /// <summary>The call allocated more than <see cref="CodeInterpreterOptions.MaxAllocatedBytes"/>, or the worker's heap reached <see cref="CodeInterpreterOptions.WorkerMemoryLimit"/>.</summary>
    MemoryLimit,

    /// <summary>A function recursed deeper than <see cref="CodeInterpreterOptions.MaxRecursionDepth"/> or the stack ran out.</summary>
    RecursionLimit,

    /// <summary>A regular expression ran longer than <see cref="CodeInterpreterOptions.RegexTimeout"/>.</summary>
    RegexTimeout,

    /// <summary>The worker process running the session stopped (it crashed, or the host killed it); the session's state is lost.</summary>
    WorkerCrashed,
}

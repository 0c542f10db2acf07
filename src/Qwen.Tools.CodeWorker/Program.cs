using System.Reflection;

// The sandbox is Qwen.Tools' internal CodeWorkerEntryPoint: looking it up by name keeps this project free of a
// reference to Qwen.Tools, which itself references this project to ship it.
var entryPoint = Type.GetType("Qwen.Tools.CodeWorkerEntryPoint, Qwen.Tools", throwOnError: false)?
    .GetMethod("Run", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
if (entryPoint is null)
{
    await Console.Error.WriteLineAsync($"qwen-code-worker: Qwen.Tools.dll with its code interpreter was not found next to {AppContext.BaseDirectory}.").ConfigureAwait(false);
    return 70;
}

try
{
    return (int)entryPoint.Invoke(null, [args])!;
}
catch (TargetInvocationException e) when (e.InnerException is not null)
{
    await Console.Error.WriteLineAsync($"qwen-code-worker: {e.InnerException}").ConfigureAwait(false);
    return 70;
}

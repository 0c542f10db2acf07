using Jint;
using Jint.Runtime;

namespace Qwen.Tools;

/// <summary>JavaScript errors the helpers throw, so the model's code can catch them like any other error.</summary>
internal static class SandboxErrors
{
    public static JavaScriptException Type(Engine engine, string message) => new(engine.Intrinsics.TypeError, message);

    /// <summary>An error for a value out of its allowed range (a plain <c>Error</c>: the realm's RangeError constructor is not reachable from here).</summary>
    public static JavaScriptException Range(Engine engine, string message) => new(engine.Intrinsics.Error, message);

    public static JavaScriptException Error(Engine engine, string message) => new(engine.Intrinsics.Error, message);
}

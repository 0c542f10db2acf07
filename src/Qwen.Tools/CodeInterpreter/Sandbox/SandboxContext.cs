using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Qwen.Tools;

/// <summary>What the helpers of one session share: its engine, settings, files, the current call's output and images.</summary>
internal sealed class SandboxContext(Engine engine, WorkerSettings settings)
{
    /// <summary>The most elements a helper accepts in one array; larger inputs get a RangeError instead of exhausting memory.</summary>
    public const int MaxArrayLength = 16_777_216;

    public Engine Engine { get; } = engine;

    public WorkerSettings Settings { get; } = settings;

    public WorkDirectoryGuard Files { get; } = new(settings.WorkDirectory);

    public OutputBuffer Output { get; } = new(settings.MaxOutputChars);

    /// <summary>The images the current call wrote, relative to the work directory.</summary>
    public List<string> Images { get; } = [];

    /// <summary>How many bytes the current call has written to files; one call may write at most <see cref="WorkerSettings.MaxFileBytes"/> in all.</summary>
    public long BytesWritten { get; set; }

    /// <summary>Counts <paramref name="bytes"/> against the current call's write budget, or throws when they do not fit.</summary>
    public void ChargeWrite(string function, long bytes)
    {
        if (BytesWritten + bytes > Settings.MaxFileBytes)
        {
            throw SandboxErrors.Range(Engine, $"{function}: writing {bytes} more bytes would pass the {Settings.MaxFileBytes} bytes one call may write.");
        }

        BytesWritten += bytes;
    }

    /// <summary>Defines a non-enumerable function property, as built-ins are.</summary>
    public ClrFunction Define(ObjectInstance target, string name, int length, Func<JsValue, JsValue[], JsValue> body)
    {
        var function = new ClrFunction(Engine, name, body, length);
        target.FastSetProperty(name, new PropertyDescriptor(function, writable: true, enumerable: false, configurable: true));
        return function;
    }
}

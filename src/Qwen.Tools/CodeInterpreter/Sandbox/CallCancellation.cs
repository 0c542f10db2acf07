using Jint;

namespace Qwen.Tools;

/// <summary>
/// Stops the running call when the host cancels it. Jint's own cancellation constraint takes one token for the
/// engine's lifetime; a session needs a fresh one per call.
/// </summary>
internal sealed class CallCancellation : Constraint
{
    private CancellationToken _token;

    /// <summary>Only observes a token, so the engine may check it every few statements instead of every one.</summary>
    public override bool IsAmortizable => true;

    public void Begin(CancellationToken token) => _token = token;

    public override void Check() => _token.ThrowIfCancellationRequested();

    public override void Reset()
    {
        // The token belongs to the call, not to one engine entry: nothing to reset between entries.
    }
}

namespace Qwen.Core;

/// <summary>
/// The streaming machinery the three formats share: splits the input at the markers of the current state,
/// holding back only a possible partial marker, so each character is examined a bounded number of times.
/// </summary>
internal abstract class MarkerStreamParser : IFunctionCallParser
{
    private readonly EventSink _events = new();
    private string _held = string.Empty;
    private bool _completed;

    protected MarkerStreamParser(FunctionCallParserOptions? options)
    {
        Calls = new CallFactory(options?.CallIdGenerator);
        StartsInReasoning = options?.StartInReasoning == true;
        Text = new SegmentWriter(_events, reasoning: false);
        Reasoning = new SegmentWriter(_events, reasoning: true);
    }

    /// <inheritdoc/>
    public bool IsStopped { get; private set; }

    /// <summary>Gets where events go; segment writers share it.</summary>
    protected EventSink Events => _events;

    protected CallFactory Calls { get; }

    /// <summary>Gets a value indicating whether the output begins inside a reasoning block.</summary>
    protected bool StartsInReasoning { get; }

    /// <summary>Gets the writer of answer text.</summary>
    protected SegmentWriter Text { get; }

    /// <summary>Gets the writer of reasoning text.</summary>
    protected SegmentWriter Reasoning { get; }

    /// <summary>Gets the markers to look for in the current state.</summary>
    protected abstract MarkerSet ActiveMarkers { get; }

    /// <inheritdoc/>
    public IReadOnlyList<FunctionCallEvent> Append(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (_completed)
        {
            throw new InvalidOperationException("Append was called after Complete(); create a new parser for the next output.");
        }

        if (delta.Length > 0 && !IsStopped)
        {
            var text = _held.Length == 0 ? delta : _held + delta;
            _held = string.Empty;
            Scan(text, final: false);
        }

        return _events.Take();
    }

    /// <inheritdoc/>
    public IReadOnlyList<FunctionCallEvent> Complete()
    {
        if (_completed)
        {
            return [];
        }

        _completed = true;
        if (!IsStopped)
        {
            if (_held.Length > 0)
            {
                var text = _held;
                _held = string.Empty;
                Scan(text, final: true);
            }

            if (!IsStopped)
            {
                OnEnd();
            }
        }

        return _events.Take();
    }

    /// <summary>Seeds the input with text that precedes the model's output (ReAct's virtual line start).</summary>
    protected void Prepend(string text) => _held = text + _held;

    /// <summary>Handles text of the current state that is known not to belong to a marker.</summary>
    protected abstract void OnContent(string text);

    /// <summary>Handles a marker of the current state; usually changes state.</summary>
    protected abstract void OnMarker(string marker);

    /// <summary>Handles the end of the output in the current state.</summary>
    protected abstract void OnEnd();

    /// <summary>Ignores the rest of the output: the model began writing what the caller provides (a tool result).</summary>
    protected void Stop() => IsStopped = true;

    private void Scan(string text, bool final)
    {
        var position = 0;
        while (position < text.Length && !IsStopped)
        {
            var (index, marker) = ActiveMarkers.Find(text, position, final);
            if (marker is null)
            {
                var end = index < 0 ? text.Length : index;
                if (end > position)
                {
                    OnContent(text[position..end]);
                }

                if (index >= 0)
                {
                    _held = text[index..];
                }

                return;
            }

            if (index > position)
            {
                OnContent(text[position..index]);
            }

            position = index + marker.Length;
            OnMarker(marker);
        }
    }
}

using System.Text;

namespace Qwen.Core;

/// <summary>
/// Emits one run of text or reasoning, dropping the whitespace at its edges (it only separates protocol blocks)
/// while passing on the whitespace inside it unchanged. A segment that directly follows one of the same kind
/// starts with a blank line, so that joining the events never glues two paragraphs together.
/// </summary>
internal sealed class SegmentWriter(EventSink sink, bool reasoning)
{
    private readonly StringBuilder _pendingWhitespace = new();
    private bool _started;
    private bool _skipLeadingWhitespace = true;

    public void Write(string text)
    {
        var start = 0;
        if (_skipLeadingWhitespace)
        {
            while (start < text.Length && char.IsWhiteSpace(text[start]))
            {
                start++;
            }

            if (start == text.Length)
            {
                return;
            }

            _skipLeadingWhitespace = false;
        }

        var last = text.Length - 1;
        while (last >= start && char.IsWhiteSpace(text[last]))
        {
            last--;
        }

        if (last < start)
        {
            _pendingWhitespace.Append(text, start, text.Length - start);
            return;
        }

        if (!_started && sink.LastKind == (reasoning ? typeof(ReasoningEvent) : typeof(TextEvent)))
        {
            _pendingWhitespace.Append("\n\n");
        }

        string content;
        if (_pendingWhitespace.Length > 0)
        {
            content = _pendingWhitespace.Append(text, start, last + 1 - start).ToString();
            _pendingWhitespace.Clear();
        }
        else
        {
            content = start == 0 && last == text.Length - 1 ? text : text[start..(last + 1)];
        }

        _started = true;
        sink.Add(reasoning ? new ReasoningEvent(content) : new TextEvent(content));
        _pendingWhitespace.Append(text, last + 1, text.Length - last - 1);
    }

    /// <summary>Starts a new line inside the segment after a label (ReAct's <c>Thought:</c>) and skips the spaces after the label.</summary>
    public void BreakLine()
    {
        if (_started)
        {
            _pendingWhitespace.Append('\n');
        }

        _skipLeadingWhitespace = true;
    }

    /// <summary>Ends the segment: its trailing whitespace is dropped and the next one starts afresh.</summary>
    public void End()
    {
        _pendingWhitespace.Clear();
        _started = false;
        _skipLeadingWhitespace = true;
    }
}

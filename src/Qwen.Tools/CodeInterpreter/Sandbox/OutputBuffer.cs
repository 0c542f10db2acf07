using System.Text;

namespace Qwen.Tools;

/// <summary>What one call prints, kept up to a character limit; beyond it only the number of characters dropped is counted.</summary>
internal sealed class OutputBuffer(int limit)
{
    private readonly StringBuilder _text = new();

    public long OmittedChars { get; private set; }

    public bool Truncated => OmittedChars > 0;

    public int Remaining => limit - _text.Length;

    public string Text => _text.ToString();

    public void Clear()
    {
        _text.Clear();
        OmittedChars = 0;
    }

    /// <summary>Counts characters that were cut before reaching the buffer.</summary>
    public void Omit(long count) => OmittedChars += count;

    public void AppendLine(string line)
    {
        Append(line);
        Append("\n");
    }

    public void Append(string text)
    {
        var room = Remaining;
        if (text.Length <= room)
        {
            _text.Append(text);
            return;
        }

        _text.Append(text, 0, Math.Max(room, 0));
        OmittedChars += text.Length - Math.Max(room, 0);
    }
}

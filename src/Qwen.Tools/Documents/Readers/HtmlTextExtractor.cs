using System.Net;
using System.Text;

namespace Qwen.Tools;

/// <summary>
/// Extracts the visible text of an HTML page as paragraphs: headings as <c>#</c> lines, list items as <c>-</c> lines, tables as
/// Markdown rows; scripts, styles, templates, comments and hidden elements are dropped. Tolerant of the malformed HTML found on the web.
/// </summary>
internal sealed class HtmlTextExtractor
{
    private static readonly HashSet<string> SkippedElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "select", "button", "head",
    };

    private static readonly HashSet<string> VoidElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd",
        "figure", "figcaption", "address", "details", "summary", "form", "fieldset", "legend", "hr", "caption", "center", "body", "html",
    };

    private readonly string _html;
    private readonly List<DocumentParagraph> _paragraphs = [];
    private readonly List<string> _open = [];
    private readonly StringBuilder _text = new();
    private readonly CancellationToken _cancellationToken;
    private int _skipDepth = -1;
    private int _preDepth;
    private int _listDepth;
    private DocumentParagraphKind _kind = DocumentParagraphKind.Text;
    private int _level;
    private List<List<string>>? _table;
    private int _tableDepth;
    private bool _inCell;
    private string? _pageTitle;

    private HtmlTextExtractor(string html, CancellationToken cancellationToken)
    {
        _html = html;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Extracts the title and the paragraphs of <paramref name="html"/>.</summary>
    public static (string? Title, List<DocumentParagraph> Paragraphs) Extract(string html, CancellationToken cancellationToken = default)
    {
        var extractor = new HtmlTextExtractor(html, cancellationToken);
        extractor.Run();
        return (extractor._pageTitle, extractor._paragraphs);
    }

    private void Run()
    {
        var i = 0;
        var steps = 0;
        while (i < _html.Length)
        {
            if (++steps % 4096 == 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
            }

            var lt = _html.IndexOf('<', i);
            if (lt < 0)
            {
                AddText(_html.AsSpan(i));
                break;
            }

            AddText(_html.AsSpan(i, lt - i));
            i = ReadMarkup(lt);
        }

        EndParagraph();
        if (_table is not null)
        {
            EndTable();
        }
    }

    /// <summary>Reads the markup starting at <paramref name="lt"/> and returns the position after it.</summary>
    private int ReadMarkup(int lt)
    {
        if (string.CompareOrdinal(_html, lt, "<!--", 0, 4) == 0)
        {
            var end = _html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
            return end < 0 ? _html.Length : end + 3;
        }

        if (lt + 1 < _html.Length && _html[lt + 1] is '!' or '?')
        {
            var end = _html.IndexOf('>', lt + 1);
            return end < 0 ? _html.Length : end + 1;
        }

        var closing = lt + 1 < _html.Length && _html[lt + 1] == '/';
        var nameStart = lt + (closing ? 2 : 1);
        var nameEnd = nameStart;
        while (nameEnd < _html.Length && (char.IsAsciiLetterOrDigit(_html[nameEnd]) || _html[nameEnd] is '-' or ':'))
        {
            nameEnd++;
        }

        if (nameEnd == nameStart || !char.IsAsciiLetter(_html[nameStart]))
        {
            // A lone '<' in text, as browsers treat it.
            AddText("<");
            return lt + 1;
        }

        var tagEnd = FindTagEnd(nameEnd);
        var name = _html[nameStart..nameEnd].ToLowerInvariant();
        var attributes = _html.AsSpan(nameEnd, Math.Max(0, tagEnd - nameEnd));
        var next = Math.Min(_html.Length, tagEnd + 1);

        if (closing)
        {
            CloseElement(name);
            return next;
        }

        var selfClosing = attributes.TrimEnd().EndsWith("/");
        OpenElement(name, attributes);
        if (VoidElements.Contains(name) || selfClosing)
        {
            if (!VoidElements.Contains(name))
            {
                CloseElement(name);
            }

            return next;
        }

        if (name is "script" or "style" or "textarea" or "title")
        {
            // Raw text elements: their content is not markup, whatever it contains.
            var end = _html.IndexOf("</" + name, next, StringComparison.OrdinalIgnoreCase);
            var contentEnd = end < 0 ? _html.Length : end;
            if (name == "title")
            {
                _pageTitle ??= Normalize(WebUtility.HtmlDecode(_html[next..contentEnd]));
            }
            else if (name == "textarea" && _skipDepth < 0)
            {
                AddText(_html.AsSpan(next, contentEnd - next));
            }

            CloseElement(name);
            if (end < 0)
            {
                return _html.Length;
            }

            var close = _html.IndexOf('>', end);
            return close < 0 ? _html.Length : close + 1;
        }

        return next;
    }

    private int FindTagEnd(int from)
    {
        char quote = '\0';
        for (var i = from; i < _html.Length; i++)
        {
            var c = _html[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i;
            }
        }

        return _html.Length;
    }

    private void OpenElement(string name, ReadOnlySpan<char> attributes)
    {
        if (name == "title")
        {
            return;
        }

        if (!VoidElements.Contains(name))
        {
            _open.Add(name);
        }

        if (_skipDepth >= 0)
        {
            return;
        }

        if (SkippedElements.Contains(name) || IsHidden(attributes))
        {
            if (!VoidElements.Contains(name))
            {
                _skipDepth = _open.Count - 1;
            }

            return;
        }

        if (_tableDepth > 0 && name is not ("table" or "tr" or "td" or "th" or "br"))
        {
            // Inside a table everything else is cell content.
            return;
        }

        switch (name)
        {
            case "br":
                _text.Append('\n');
                break;
            case "pre":
                EndParagraph();
                _preDepth++;
                break;
            case "ul" or "ol":
                EndParagraph();
                _listDepth++;
                break;
            case "li":
                EndParagraph();
                _kind = DocumentParagraphKind.ListItem;
                _level = Math.Max(0, _listDepth - 1);
                break;
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                EndParagraph();
                _kind = DocumentParagraphKind.Heading;
                _level = name[1] - '0';
                break;
            case "table":
                if (_tableDepth++ == 0)
                {
                    EndParagraph();
                    _table = [];
                }

                break;
            case "tr" when _tableDepth == 1:
                EndCell();
                _table!.Add([]);
                _text.Clear();
                break;
            case "td" or "th" when _tableDepth == 1:
                EndCell();
                if (_table!.Count == 0)
                {
                    _table.Add([]);
                }

                _text.Clear();
                _inCell = true;
                break;
            default:
                if (BlockElements.Contains(name) && _tableDepth == 0)
                {
                    EndParagraph();
                }

                break;
        }
    }

    private void CloseElement(string name)
    {
        var index = _open.LastIndexOf(name);
        if (index < 0)
        {
            return;
        }

        // Closing an element closes everything opened inside it that was left open.
        for (var i = _open.Count - 1; i >= index; i--)
        {
            var closed = _open[i];
            _open.RemoveAt(i);
            if (_skipDepth >= 0)
            {
                if (i == _skipDepth)
                {
                    _skipDepth = -1;
                }

                continue;
            }

            OnClosed(closed);
        }
    }

    private void OnClosed(string name)
    {
        if (_tableDepth > 0 && name is not ("table" or "td" or "th"))
        {
            return;
        }

        switch (name)
        {
            case "pre":
                EndParagraph();
                _preDepth = Math.Max(0, _preDepth - 1);
                break;
            case "ul" or "ol":
                EndParagraph();
                _listDepth = Math.Max(0, _listDepth - 1);
                break;
            case "table":
                if (--_tableDepth == 0)
                {
                    EndTable();
                }

                _tableDepth = Math.Max(0, _tableDepth);
                break;
            case "td" or "th" when _tableDepth == 1:
                EndCell();
                break;
            default:
                if ((BlockElements.Contains(name) || name is "li" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6") && _tableDepth == 0)
                {
                    EndParagraph();
                }

                break;
        }
    }

    private void AddText(ReadOnlySpan<char> raw)
    {
        if (_skipDepth >= 0 || raw.IsEmpty)
        {
            return;
        }

        var text = raw.Contains('&') ? WebUtility.HtmlDecode(raw.ToString()) : raw.ToString();
        if (_preDepth > 0)
        {
            _text.Append(text);
            return;
        }

        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) && c != '\u00A0')
            {
                if (_text.Length > 0 && _text[^1] is not (' ' or '\n'))
                {
                    _text.Append(' ');
                }
            }
            else
            {
                _text.Append(c == '\u00A0' ? ' ' : c);
            }
        }
    }

    private void EndCell()
    {
        if (!_inCell || _table is null || _table.Count == 0)
        {
            return;
        }

        _inCell = false;
        _table[^1].Add(Normalize(_text.ToString()));
        _text.Clear();
    }

    private void EndTable()
    {
        EndCell();
        var rows = _table!.Where(r => r.Count > 0).Select(r => (IReadOnlyList<string>)r).ToList();
        _table = null;
        _text.Clear();
        var rendered = MarkdownTable.Render(rows);
        if (rendered.Length > 0)
        {
            _paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Table, rendered));
        }
    }

    private void EndParagraph()
    {
        if (_table is not null)
        {
            return;
        }

        var text = _preDepth > 0 ? _text.ToString().Trim('\n', '\r') : Normalize(_text.ToString());
        _text.Clear();
        if (text.Length > 0)
        {
            _paragraphs.Add(_kind switch
            {
                DocumentParagraphKind.Heading => new DocumentParagraph(DocumentParagraphKind.Heading, $"{new string('#', _level)} {text}", _level),
                DocumentParagraphKind.ListItem => new DocumentParagraph(DocumentParagraphKind.ListItem, $"{new string(' ', 2 * _level)}- {text}", _level),
                _ => new DocumentParagraph(DocumentParagraphKind.Text, text),
            });
        }

        _kind = DocumentParagraphKind.Text;
        _level = 0;
    }

    private static string Normalize(string text)
    {
        var lines = text.Split('\n');
        return string.Join('\n', lines.Select(l => l.Trim()).Where(l => l.Length > 0));
    }

    private static bool IsHidden(ReadOnlySpan<char> attributes)
    {
        if (attributes.IsEmpty)
        {
            return false;
        }

        // The hidden attribute (or a class of that name, which CSS frameworks use the same way) and inline display:none hide content.
        var text = attributes.ToString();
        for (var at = text.IndexOf("hidden", StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf("hidden", at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var before = at == 0 || char.IsWhiteSpace(text[at - 1]);
            var after = at + 6 == text.Length || char.IsWhiteSpace(text[at + 6]) || text[at + 6] is '=' or '/' or '"' or '\'';
            if (before && after)
            {
                return true;
            }
        }

        var compact = text.Replace(" ", string.Empty, StringComparison.Ordinal);
        return compact.Contains("display:none", StringComparison.OrdinalIgnoreCase) || compact.Contains("visibility:hidden", StringComparison.OrdinalIgnoreCase);
    }
}

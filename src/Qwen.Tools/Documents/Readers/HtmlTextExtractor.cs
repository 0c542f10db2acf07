using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Qwen.Tools;

/// <summary>
/// Extracts the visible text of an HTML page as paragraphs: headings as <c>#</c> lines, list items as <c>-</c> lines, tables as
/// Markdown rows; scripts, styles, templates, forms' controls and hidden elements are dropped. The page is parsed by AngleSharp's
/// HTML5 parser, so malformed markup (unclosed tags, stray end tags, <c>&lt;/div&gt;</c> inside a script) is repaired as a browser would.
/// </summary>
internal sealed class HtmlTextExtractor
{
    private static readonly HashSet<string> SkippedElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "select", "button", "head", "title",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd",
        "figure", "figcaption", "address", "details", "summary", "form", "fieldset", "legend", "hr", "caption", "center", "body", "html",
    };

    private readonly List<DocumentParagraph> _paragraphs = [];
    private readonly StringBuilder _text = new();
    private readonly CancellationToken _cancellationToken;
    private int _preDepth;
    private int _listDepth;
    private DocumentParagraphKind _kind = DocumentParagraphKind.Text;
    private int _level;
    private List<List<string>>? _table;
    private int _tableDepth;
    private bool _inCell;

    private HtmlTextExtractor(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

    /// <summary>Extracts the title and the paragraphs of <paramref name="html"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static (string? Title, List<DocumentParagraph> Paragraphs) Extract(string html, CancellationToken cancellationToken = default)
    {
        // No browsing context: nothing is fetched, no script runs, and <noscript> is parsed as the markup a script-less reader sees.
        var parser = new HtmlParser(new HtmlParserOptions { IsScripting = false });
        using var document = parser.ParseDocument(html);
        cancellationToken.ThrowIfCancellationRequested();

        var extractor = new HtmlTextExtractor(cancellationToken);
        extractor.Run(document.Body ?? document.DocumentElement);
        var title = Normalize(document.Title ?? string.Empty);
        return (title.Length == 0 ? null : title, extractor._paragraphs);
    }

    private void Run(IElement? root)
    {
        if (root is null)
        {
            return;
        }

        // Depth-first over the DOM with an explicit stack: real pages nest deeply, hostile ones arbitrarily so.
        var stack = new Stack<(INode Node, bool Leaving)>();
        stack.Push((root, false));
        var steps = 0;
        while (stack.Count > 0)
        {
            if (++steps % 4096 == 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
            }

            var (node, leaving) = stack.Pop();
            if (node is IText text)
            {
                AddText(text.Data);
                continue;
            }

            if (node is not IElement element)
            {
                continue; // comments, processing instructions, doctypes
            }

            var name = element.LocalName;
            if (leaving)
            {
                OnClosed(name);
                continue;
            }

            if (SkippedElements.Contains(name) || IsHidden(element))
            {
                continue;
            }

            OpenElement(name);
            stack.Push((element, true));
            for (var child = element.LastChild; child is not null; child = child.PreviousSibling)
            {
                stack.Push((child, false));
            }
        }

        EndParagraph();
        if (_table is not null)
        {
            EndTable();
        }
    }

    private void OpenElement(string name)
    {
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

    private void AddText(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

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

    private static bool IsHidden(IElement element)
    {
        if (element.Attributes.Length == 0)
        {
            return false;
        }

        // The hidden attribute (or a class of that name, which CSS frameworks use the same way), aria-hidden, and inline
        // display:none or visibility:hidden hide content.
        if (element.HasAttribute("hidden") || element.ClassList.Contains("hidden")
            || string.Equals(element.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var style = element.GetAttribute("style");
        if (string.IsNullOrEmpty(style))
        {
            return false;
        }

        var compact = style.Replace(" ", string.Empty, StringComparison.Ordinal);
        return compact.Contains("display:none", StringComparison.OrdinalIgnoreCase) || compact.Contains("visibility:hidden", StringComparison.OrdinalIgnoreCase);
    }
}

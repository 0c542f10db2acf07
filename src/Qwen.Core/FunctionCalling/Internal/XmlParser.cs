using System.Text;

namespace Qwen.Core;

/// <summary>Parses Qwen3-Coder's XML output: text, <c>&lt;think&gt;</c> blocks and <c>&lt;tool_call&gt;&lt;function=NAME&gt;…&lt;/function&gt;&lt;/tool_call&gt;</c> blocks.</summary>
/// <remarks>
/// A call block is read once it closes, so streaming changes nothing. As vLLM's and SGLang's Qwen3-Coder parsers do, a block
/// may hold several <c>&lt;function=…&gt;</c> elements, a missing <c>&lt;/parameter&gt;</c> ends at the next parameter or at
/// <c>&lt;/function&gt;</c>, and a <c>&lt;function=…&gt;…&lt;/function&gt;</c> written without the <c>&lt;tool_call&gt;</c> wrapper is still a call.
/// </remarks>
internal sealed class XmlParser : MarkerStreamParser
{
    private const string FunctionClose = "</function>";

    private static readonly MarkerSet TextMarkers = new(
        XmlFunctionCallFormat.CallOpen, XmlFunctionCallFormat.FunctionOpen, ThinkMarkers.Open, ThinkMarkers.Close);

    private static readonly MarkerSet ReasoningMarkers = new(ThinkMarkers.Close);
    private static readonly MarkerSet CallMarkers = new(XmlFunctionCallFormat.CallClose);
    private static readonly MarkerSet BareFunctionMarkers = new(FunctionClose);

    private readonly StringBuilder _body = new();
    private readonly XmlCallReader _reader;
    private State _state;

    public XmlParser(FunctionCallParserOptions? options)
        : base(options)
    {
        _reader = new XmlCallReader(Calls, options?.Tools);
        _state = StartsInReasoning ? State.Reasoning : State.Text;
    }

    private enum State
    {
        Text,
        Reasoning,
        Call,
        BareFunction,
    }

    protected override MarkerSet ActiveMarkers => _state switch
    {
        State.Reasoning => ReasoningMarkers,
        State.Call => CallMarkers,
        State.BareFunction => BareFunctionMarkers,
        _ => TextMarkers,
    };

    protected override void OnContent(string text)
    {
        switch (_state)
        {
            case State.Reasoning:
                Reasoning.Write(text);
                break;
            case State.Call or State.BareFunction:
                _body.Append(text);
                break;
            default:
                Text.Write(text);
                break;
        }
    }

    protected override void OnMarker(string marker)
    {
        switch (_state, marker)
        {
            case (State.Text, XmlFunctionCallFormat.CallOpen):
                Text.End();
                _body.Clear();
                _state = State.Call;
                break;
            case (State.Text, XmlFunctionCallFormat.FunctionOpen):
                Text.End();
                _body.Clear().Append(marker);
                _state = State.BareFunction;
                break;
            case (State.Text, ThinkMarkers.Open):
                Text.End();
                _state = State.Reasoning;
                break;
            case (State.Text, _):
                Text.End(); // a stray </think>: the reasoning it closes was already reported as text
                break;
            case (State.Reasoning, _):
                Reasoning.End();
                _state = State.Text;
                break;
            case (State.Call, _):
                var body = _body.ToString();
                _reader.Read(body, XmlFunctionCallFormat.CallOpen + body + XmlFunctionCallFormat.CallClose, blockClosed: true, Events);
                _state = State.Text;
                break;
            default:
                var function = _body.Append(FunctionClose).ToString();
                _reader.Read(function, function, blockClosed: true, Events);
                _state = State.Text;
                break;
        }
    }

    protected override void OnEnd()
    {
        var body = _body.ToString();
        switch (_state)
        {
            case State.Call:
                // Complete functions in an unclosed block are calls (the model may stop right after </function>).
                _reader.Read(body, XmlFunctionCallFormat.CallOpen + body, blockClosed: false, Events);
                break;
            case State.BareFunction:
                Events.Add(new ToolCallParseErrorEvent(body, "the output ended inside <function=...> before </function>", XmlCallReader.ReadName(body)));
                break;
        }
    }
}

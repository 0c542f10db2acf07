using System.Text;

namespace Qwen.Core;

/// <summary>Parses Hermes/Nous output: text, <c>&lt;think&gt;</c> blocks and <c>&lt;tool_call&gt;</c> JSON blocks.</summary>
internal sealed class HermesParser : MarkerStreamParser
{
    private const string CallOpen = "<tool_call>";
    private const string CallClose = "</tool_call>";

    private static readonly MarkerSet TextMarkers = new(CallOpen, ThinkMarkers.Open, ThinkMarkers.Close);
    private static readonly MarkerSet ReasoningMarkers = new(ThinkMarkers.Close);
    private static readonly MarkerSet CallMarkers = new(CallClose, CallOpen);

    private readonly StringBuilder _body = new();
    private State _state;

    public HermesParser(FunctionCallParserOptions? options)
        : base(options)
    {
        _state = StartsInReasoning ? State.Reasoning : State.Text;
    }

    private enum State
    {
        Text,
        Reasoning,
        Call,
    }

    protected override MarkerSet ActiveMarkers => _state switch
    {
        State.Reasoning => ReasoningMarkers,
        State.Call => CallMarkers,
        _ => TextMarkers,
    };

    protected override void OnContent(string text)
    {
        switch (_state)
        {
            case State.Reasoning:
                Reasoning.Write(text);
                break;
            case State.Call:
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
            case (State.Text, CallOpen):
                Text.End();
                OpenCall();
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
            case (State.Call, CallClose):
                Events.Add(Calls.FromHermesBody(_body.ToString(), CallOpen + _body + CallClose));
                _state = State.Text;
                break;
            default:
                // A new <tool_call> before </tool_call>: the open call ended without its closing tag.
                Events.Add(Calls.FromHermesBody(_body.ToString(), CallOpen + _body));
                OpenCall();
                break;
        }
    }

    protected override void OnEnd()
    {
        if (_state == State.Call)
        {
            var body = _body.ToString();
            Events.Add(new ToolCallParseErrorEvent(CallOpen + body, "the output ended inside <tool_call> before </tool_call>", CallFactory.ReadHermesName(body)));
        }
    }

    private void OpenCall()
    {
        _body.Clear();
        _state = State.Call;
    }
}

using System.Text;

namespace Qwen.Core;

/// <summary>Parses output in Qwen-Agent's <c>qwen</c> format: <c>✿FUNCTION✿: name</c> then <c>✿ARGS✿: {json}</c>, possibly repeated.</summary>
/// <remarks>
/// As Qwen-Agent does, a call's arguments run to the next <c>✿FUNCTION✿:</c>/<c>✿ARGS✿:</c> or the end, several
/// <c>✿ARGS✿:</c> after one name are several calls of that function, and <c>✿RESULT✿</c>/<c>✿RETURN✿</c> written by
/// the model (a hallucinated tool result) stop the parse.
/// </remarks>
internal sealed class QwenFnCallParser : MarkerStreamParser
{
    private static readonly MarkerSet TextMarkers = new(
        QwenFnCallFormat.FunctionMarker + ":", QwenFnCallFormat.ResultMarker, QwenFnCallFormat.ReturnMarker, ThinkMarkers.Open, ThinkMarkers.Close);

    private static readonly MarkerSet CallMarkers = new(
        QwenFnCallFormat.FunctionMarker + ":", QwenFnCallFormat.ArgsMarker + ":", QwenFnCallFormat.ResultMarker, QwenFnCallFormat.ReturnMarker);

    private static readonly MarkerSet ReasoningMarkers = new(ThinkMarkers.Close);

    private readonly StringBuilder _name = new();
    private readonly StringBuilder _arguments = new();
    private readonly StringBuilder _raw = new();
    private string _callHead = string.Empty;
    private State _state;

    public QwenFnCallParser(FunctionCallParserOptions? options)
        : base(options)
    {
        _state = StartsInReasoning ? State.Reasoning : State.Text;
    }

    private enum State
    {
        Text,
        Reasoning,
        Name,
        Arguments,
    }

    protected override MarkerSet ActiveMarkers => _state switch
    {
        State.Text => TextMarkers,
        State.Reasoning => ReasoningMarkers,
        _ => CallMarkers,
    };

    protected override void OnContent(string text)
    {
        switch (_state)
        {
            case State.Text:
                Text.Write(text);
                break;
            case State.Reasoning:
                Reasoning.Write(text);
                break;
            case State.Name:
                _name.Append(text);
                _raw.Append(text);
                break;
            default:
                _arguments.Append(text);
                _raw.Append(text);
                break;
        }
    }

    protected override void OnMarker(string marker)
    {
        if (_state == State.Reasoning)
        {
            Reasoning.End();
            _state = State.Text;
            return;
        }

        if (_state == State.Text)
        {
            Text.End();
        }
        else if (_state == State.Name && marker == QwenFnCallFormat.ArgsMarker + ":")
        {
            _callHead = _raw.ToString();
            _raw.Append(marker);
            _state = State.Arguments;
            return;
        }
        else
        {
            EmitCall();
        }

        switch (marker)
        {
            case ThinkMarkers.Open:
                _state = State.Reasoning;
                break;
            case ThinkMarkers.Close:
                break; // stray: the reasoning it closes was already reported as text
            case QwenFnCallFormat.ResultMarker or QwenFnCallFormat.ReturnMarker:
                Stop();
                break;
            case QwenFnCallFormat.FunctionMarker + ":":
                _name.Clear();
                _raw.Clear().Append(marker);
                _state = State.Name;
                break;
            default:
                // Another ✿ARGS✿: after a call's arguments: one more call of the same function.
                _raw.Clear().Append(_callHead).Append(marker);
                _state = State.Arguments;
                break;
        }
    }

    protected override void OnEnd()
    {
        if (_state is State.Name or State.Arguments)
        {
            EmitCall();
        }
    }

    private void EmitCall()
    {
        Events.Add(Calls.FromNameAndArguments(_name.ToString(), _arguments.ToString(), _raw.ToString().TrimEnd()));
        _arguments.Clear();
    }
}

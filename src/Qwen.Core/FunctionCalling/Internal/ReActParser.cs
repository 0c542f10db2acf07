using System.Text;

namespace Qwen.Core;

/// <summary>Parses ReAct output: <c>Thought:</c> text, <c>Action:</c>/<c>Action Input:</c> calls and the <c>Final Answer:</c>.</summary>
/// <remarks>
/// Labels count at the start of a line (and of the output). Thoughts, and anything before the first label, are
/// reported as reasoning; the text after <c>Final Answer:</c> is the answer and is not parsed further.
/// <c>Observation:</c> (the stop word: the model began writing the tool result) stops the parse.
/// </remarks>
internal sealed class ReActParser : MarkerStreamParser
{
    private const string ThoughtLabel = "\nThought:";
    private const string ActionLabel = "\nAction:";
    private const string InputLabel = "Action Input:";
    private const string FinalAnswerLabel = "\nFinal Answer:";
    private const string ObservationLabel = "Observation:";
    private const string LineObservationLabel = "\nObservation:";

    private static readonly MarkerSet ThoughtMarkers = new(
        ThoughtLabel, ActionLabel, FinalAnswerLabel, LineObservationLabel, ThinkMarkers.Open, ThinkMarkers.Close);

    private static readonly MarkerSet ThinkBlockMarkers = new(ThinkMarkers.Close);
    private static readonly MarkerSet NameMarkers = new(InputLabel, ThoughtLabel, ActionLabel, FinalAnswerLabel, ObservationLabel);
    private static readonly MarkerSet InputMarkers = new(ThoughtLabel, ActionLabel, FinalAnswerLabel, ObservationLabel);
    private static readonly MarkerSet NoMarkers = new();

    private readonly StringBuilder _name = new();
    private readonly StringBuilder _input = new();
    private readonly StringBuilder _raw = new();
    private State _state;

    public ReActParser(FunctionCallParserOptions? options)
        : base(options)
    {
        _state = StartsInReasoning ? State.ThinkBlock : State.Thought;

        // The output starts a line, so a label at its very beginning is recognised like one after a newline.
        Prepend("\n");
    }

    private enum State
    {
        Thought,
        ThinkBlock,
        ActionName,
        ActionInput,
        FinalAnswer,
    }

    protected override MarkerSet ActiveMarkers => _state switch
    {
        State.Thought => ThoughtMarkers,
        State.ThinkBlock => ThinkBlockMarkers,
        State.ActionName => NameMarkers,
        State.ActionInput => InputMarkers,
        _ => NoMarkers,
    };

    protected override void OnContent(string text)
    {
        switch (_state)
        {
            case State.Thought or State.ThinkBlock:
                Reasoning.Write(text);
                break;
            case State.ActionName:
                _name.Append(text);
                _raw.Append(text);
                break;
            case State.ActionInput:
                _input.Append(text);
                _raw.Append(text);
                break;
            default:
                Text.Write(text);
                break;
        }
    }

    protected override void OnMarker(string marker)
    {
        switch (_state)
        {
            case State.ThinkBlock:
                Reasoning.End();
                _state = State.Thought;
                return;
            case State.ActionName when marker == InputLabel:
                _raw.Append(marker);
                _input.Clear();
                _state = State.ActionInput;
                return;
        }

        FinishAction();
        _state = State.Thought;
        switch (marker)
        {
            case ThoughtLabel:
                Reasoning.BreakLine();
                break;
            case ActionLabel:
                Reasoning.End();
                _name.Clear();
                _raw.Clear().Append(ActionLabel, 1, ActionLabel.Length - 1);
                _state = State.ActionName;
                break;
            case FinalAnswerLabel:
                Reasoning.End();
                _state = State.FinalAnswer;
                break;
            case ThinkMarkers.Open:
                Reasoning.End();
                _state = State.ThinkBlock;
                break;
            case ThinkMarkers.Close:
                Reasoning.End(); // stray: everything before it was reasoning anyway
                break;
            default:
                Reasoning.End();
                Stop(); // Observation: the model began writing the tool's result
                break;
        }
    }

    protected override void OnEnd() => FinishAction();

    /// <summary>Reports the action being read, if any: a call once it has its input, otherwise a parse error.</summary>
    private void FinishAction()
    {
        if (_state == State.ActionInput)
        {
            Events.Add(Calls.FromNameAndArguments(_name.ToString(), _input.ToString(), _raw.ToString().TrimEnd()));
        }
        else if (_state == State.ActionName)
        {
            var name = _name.ToString().Trim();
            Events.Add(new ToolCallParseErrorEvent(_raw.ToString().TrimEnd(), "the Action has no Action Input line", name.Length == 0 ? null : name));
        }
    }
}

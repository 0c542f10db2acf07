using System.Text;

namespace Qwen.Core;

/// <summary>
/// The grammar state of one generated sequence: before each token, <see cref="Mask"/> sets the logits of the tokens the
/// grammar does not allow to negative infinity; after it, <see cref="Accept"/> advances the state. As the token budget runs
/// low, only tokens that still let the output finish within it are allowed, so even a length-limited output is complete JSON.
/// </summary>
/// <remarks>Made by <see cref="TokenConstraint.CreateMatcher"/>; one sequence, one thread at a time.</remarks>
public sealed class TokenMatcher
{
    private readonly TokenConstraint _constraint;
    private readonly StateSpace _space;
    private readonly int[] _ends;
    private readonly List<byte> _tail = [];
    private Phase _phase;
    private GrammarState _state;
    private bool _atStart = true;

    internal TokenMatcher(TokenConstraint constraint, int[] ends)
    {
        _constraint = constraint;
        _space = constraint.Space;
        _ends = ends;
        _state = _space.Start;
        _phase = constraint.StartsInReasoning ? Phase.Reasoning : constraint.Trigger is not null ? Phase.Free : Phase.Grammar;
    }

    private enum Phase
    {
        Grammar,
        Reasoning,
        Free,
        Ended,
    }

    /// <summary>Gets whether the output so far may end here (the grammar is complete, or a lazy constraint is outside its grammar).</summary>
    public bool IsComplete => _phase switch
    {
        Phase.Grammar => _state.Accepting,
        Phase.Free or Phase.Ended => true,
        _ => false,
    };

    /// <summary>Sets the logits of the tokens not allowed next to negative infinity.</summary>
    /// <param name="logits">The next-token logits, indexed by id (ids beyond the tokenizer's are never allowed).</param>
    /// <param name="remainingTokens">How many tokens may still be generated, this one included.</param>
    public void Mask(Span<float> logits, int remainingTokens)
    {
        switch (_phase)
        {
            case Phase.Grammar:
                MaskGrammar(logits, remainingTokens);
                break;
            case Phase.Reasoning:
                MaskReasoning(logits, remainingTokens);
                break;
            default:
                break;
        }
    }

    /// <summary>Advances the state past the chosen token.</summary>
    /// <param name="tokenId">The id that was generated.</param>
    /// <exception cref="InvalidOperationException">The grammar does not allow <paramref name="tokenId"/> here (it was chosen without <see cref="Mask"/>).</exception>
    public void Accept(int tokenId)
    {
        var vocabulary = _space.Vocabulary;
        var text = (uint)tokenId < (uint)vocabulary.Size ? vocabulary.Text[tokenId] : [];
        switch (_phase)
        {
            case Phase.Free:
                if (FindMarker(text, _constraint.Trigger!, out var afterTrigger))
                {
                    EnterGrammar(afterTrigger);
                }

                break;
            case Phase.Reasoning:
                if (FindMarker(text, _constraint.ReasoningEnd!, out var afterReasoning))
                {
                    EnterGrammar(afterReasoning);
                }

                break;
            case Phase.Grammar:
                AcceptGrammar(tokenId);
                break;
            default:
                break;
        }
    }

    private void AcceptGrammar(int tokenId)
    {
        var first = _atStart;
        _atStart = false;
        if (first && tokenId == _constraint.ReasoningStartId && _constraint.ReasoningStartId >= 0)
        {
            _phase = Phase.Reasoning;
            return;
        }

        if (_state.Accepting && _ends.Contains(tokenId))
        {
            _phase = Phase.Ended;
            return;
        }

        GrammarState? next;
        lock (_space.Gate)
        {
            next = (uint)tokenId < (uint)_space.Vocabulary.Size && _space.Vocabulary.Bytes[tokenId].Length > 0
                ? _space.Walk(_state, _space.Vocabulary.Bytes[tokenId])
                : null;
        }

        _state = next ?? throw new InvalidOperationException(
            $"Token {tokenId} is not allowed by the grammar ({_constraint.Grammar.Graph.Description}) at this point; it must be chosen from logits masked by TokenMatcher.Mask.");
        if (_constraint.Trigger is not null && _state.Accepting && _state.IsFinal)
        {
            // A lazy constraint is done with this occurrence: free text again until the next trigger.
            _phase = Phase.Free;
            _state = _space.Start;
        }
    }

    private void EnterGrammar(byte[] rest)
    {
        _phase = Phase.Grammar;
        _state = _space.Start;
        _tail.Clear();
        if (rest.Length > 0)
        {
            // Text the marker's token carried past the marker: part of the constrained output as far as the grammar takes it.
            lock (_space.Gate)
            {
                foreach (var b in rest)
                {
                    if (_space.Step(_state, b) is not { } next)
                    {
                        break;
                    }

                    _state = next;
                }
            }
        }
    }

    private bool FindMarker(byte[] text, string marker, out byte[] rest)
    {
        var markerBytes = Encoding.UTF8.GetBytes(marker);
        _tail.AddRange(text);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tail);
        var at = span.IndexOf(markerBytes);
        if (at >= 0)
        {
            rest = span[(at + markerBytes.Length)..].ToArray();
            return true;
        }

        if (_tail.Count > markerBytes.Length)
        {
            _tail.RemoveRange(0, _tail.Count - markerBytes.Length);
        }

        rest = [];
        return false;
    }

    private void MaskReasoning(Span<float> logits, int remainingTokens)
    {
        var end = _constraint.ReasoningEndId;
        if (end >= 0 && (uint)end < (uint)logits.Length)
        {
            int needed;
            lock (_space.Gate)
            {
                _space.EnsureMask(_space.Start);
                needed = _space.Start.MaxAfter + 2;
            }

            if (remainingTokens <= needed)
            {
                // Out of budget for thinking: close the block so the constrained answer still fits.
                var keep = logits[end];
                logits.Fill(float.NegativeInfinity);
                logits[end] = float.IsNegativeInfinity(keep) ? 0 : keep;
                return;
            }
        }

        // An end token inside the reasoning would end the answer before it starts.
        foreach (var id in _ends)
        {
            if ((uint)id < (uint)logits.Length)
            {
                logits[id] = float.NegativeInfinity;
            }
        }
    }

    private void MaskGrammar(Span<float> logits, int remainingTokens)
    {
        var state = _state;
        var reasoningId = _constraint.ReasoningStartId;
        var reasoningLogit = reasoningId >= 0 && (uint)reasoningId < (uint)logits.Length ? logits[reasoningId] : float.NegativeInfinity;
        Span<float> endLogits = stackalloc float[_ends.Length];
        for (var i = 0; i < _ends.Length; i++)
        {
            endLogits[i] = (uint)_ends[i] < (uint)logits.Length ? logits[_ends[i]] : float.NegativeInfinity;
        }

        bool roomToReason;
        lock (_space.Gate)
        {
            _space.EnsureMask(state);
        }

        roomToReason = _atStart && reasoningId >= 0 && remainingTokens > state.MaxAfter + 8;
        Apply(logits, state.Mask!);
        if (remainingTokens <= state.MaxAfter)
        {
            LimitToBudget(logits, state, Math.Max(0, remainingTokens - 1));
        }

        for (var i = 0; i < _ends.Length; i++)
        {
            if ((uint)_ends[i] < (uint)logits.Length)
            {
                logits[_ends[i]] = state.Accepting ? endLogits[i] : float.NegativeInfinity;
            }
        }

        if (roomToReason)
        {
            logits[reasoningId] = reasoningLogit;
        }
    }

    /// <summary>
    /// Near the end of the budget: keeps only the tokens after which the rest still fits in <paramref name="limit"/> bytes
    /// (one byte per token at worst); with no such token, those that come closest.
    /// </summary>
    private static void LimitToBudget(Span<float> logits, GrammarState state, int limit)
    {
        var changes = state.Changes!;
        if (limit >= state.Distance)
        {
            // Tokens that keep the distance fit; drop those that grow it past the limit.
            foreach (var (id, after) in changes)
            {
                if (after > limit && (uint)id < (uint)logits.Length)
                {
                    logits[id] = float.NegativeInfinity;
                }
            }

            return;
        }

        // Over the limit: only tokens that bring the end closer enough (or, with none, as close as any can).
        var keep = Math.Max(limit, state.MinAfter);
        if (keep >= state.Distance)
        {
            return;
        }

        var kept = new List<(int Id, float Logit)>();
        foreach (var (id, after) in changes)
        {
            if (after <= keep && (uint)id < (uint)logits.Length)
            {
                kept.Add((id, logits[id]));
            }
        }

        logits.Fill(float.NegativeInfinity);
        foreach (var (id, logit) in kept)
        {
            logits[id] = logit;
        }
    }

    private static void Apply(Span<float> logits, ulong[] mask)
    {
        for (var word = 0; word * 64 < logits.Length; word++)
        {
            var bits = word < mask.Length ? mask[word] : 0;
            if (bits == ulong.MaxValue)
            {
                continue;
            }

            var start = word * 64;
            var count = Math.Min(64, logits.Length - start);
            if (bits == 0)
            {
                logits.Slice(start, count).Fill(float.NegativeInfinity);
                continue;
            }

            for (var j = 0; j < count; j++)
            {
                if ((bits & (1UL << j)) == 0)
                {
                    logits[start + j] = float.NegativeInfinity;
                }
            }
        }
    }
}

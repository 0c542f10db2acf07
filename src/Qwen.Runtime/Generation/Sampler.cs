using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>Chooses each next token from float32 logits according to <see cref="SamplingOptions"/>, remembering what was generated for the penalties.</summary>
/// <remarks>Runs on the CPU on a copy of the logits: the same seed gives the same tokens whatever device computed them.</remarks>
internal sealed class Sampler
{
    private readonly SamplingOptions _options;
    private readonly Random _random;
    private readonly HashSet<int> _seen;
    private readonly Dictionary<int, int> _counts = [];
    private readonly List<int> _candidates = [];
    private readonly TokenMatcher? _matcher;
    private readonly int _budget;
    private int _picked;

    /// <param name="options">How to choose.</param>
    /// <param name="promptIds">The prompt (for the repetition penalty).</param>
    /// <param name="matcher">A grammar the ids must follow (constrained decoding), or null.</param>
    /// <param name="budget">The most ids this sampler will be asked for (the matcher finishes the grammar within it).</param>
    public Sampler(SamplingOptions options, IReadOnlyList<int> promptIds, TokenMatcher? matcher = null, int budget = int.MaxValue)
    {
        _options = options;
        _random = new Random(options.Seed ?? Random.Shared.Next());
        _seen = options.RepetitionPenalty != 1 ? [.. promptIds] : [];
        _matcher = matcher;
        _budget = budget;
    }

    /// <summary>Picks the next id (the logits are modified in place) and records it.</summary>
    public int Next(Span<float> logits)
    {
        // Disallowed tokens go to -inf first, so no penalty or sampling rule can bring them back.
        _matcher?.Mask(logits, _budget - _picked);
        ApplyPenalties(logits);
        var id = _options.IsGreedy ? ArgMax(logits) : Draw(logits);
        _matcher?.Accept(id);
        _picked++;
        Record(id);
        return id;
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    private void Record(int id)
    {
        _counts[id] = _counts.GetValueOrDefault(id) + 1;
        if (_options.RepetitionPenalty != 1)
        {
            _seen.Add(id);
        }
    }

    private void ApplyPenalties(Span<float> logits)
    {
        var repetition = (float)_options.RepetitionPenalty;
        if (repetition != 1)
        {
            foreach (var id in _seen)
            {
                if ((uint)id < (uint)logits.Length)
                {
                    logits[id] = logits[id] > 0 ? logits[id] / repetition : logits[id] * repetition;
                }
            }
        }

        if (_options.PresencePenalty != 0 || _options.FrequencyPenalty != 0)
        {
            foreach (var (id, count) in _counts)
            {
                if ((uint)id < (uint)logits.Length)
                {
                    logits[id] -= (float)(_options.PresencePenalty + (_options.FrequencyPenalty * count));
                }
            }
        }
    }

    private int Draw(Span<float> logits)
    {
        var inverseTemperature = 1.0 / _options.Temperature;
        var max = float.NegativeInfinity;
        foreach (var l in logits)
        {
            max = Math.Max(max, l);
        }

        // Unnormalised probabilities: the most likely token weighs exactly 1.
        var weights = new double[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            weights[i] = Math.Exp((logits[i] - max) * inverseTemperature);
        }

        var (ordered, total) = SelectCandidates(weights);
        if (_options.TopP < 1)
        {
            if (!ordered)
            {
                SortDescending(weights);
            }

            // Keep the most likely tokens while the probability before each stays under top-p.
            double before = 0;
            var keep = 0;
            while (keep < _candidates.Count && before < _options.TopP * total)
            {
                before += weights[_candidates[keep++]];
            }

            _candidates.RemoveRange(keep, _candidates.Count - keep);
        }

        if (_options.MinP > 0)
        {
            var best = _candidates.Max(id => weights[id]);
            _candidates.RemoveAll(id => weights[id] < _options.MinP * best);
        }

        total = 0;
        foreach (var id in _candidates)
        {
            total += weights[id];
        }

        var u = _random.NextDouble() * total;
        double cumulative = 0;
        foreach (var id in _candidates)
        {
            cumulative += weights[id];
            if (cumulative > u)
            {
                return id;
            }
        }

        return _candidates[^1];
    }

    /// <summary>Fills the candidate list (top-k, the likely part of the vocabulary for top-p, or every token).</summary>
    /// <returns>Whether the list is sorted by weight, and the mass of the distribution it is drawn from (top-k renormalises).</returns>
    private (bool Ordered, double Total) SelectCandidates(double[] weights)
    {
        _candidates.Clear();
        var k = _options.TopK;
        if (k > 0 && k < weights.Length)
        {
            // A min-heap of the k heaviest so far; ties keep the lower id.
            var heap = new PriorityQueue<int, (double Weight, int NegId)>(k + 1);
            for (var i = 0; i < weights.Length; i++)
            {
                heap.Enqueue(i, (weights[i], -i));
                if (heap.Count > k)
                {
                    heap.Dequeue();
                }
            }

            double kept = 0;
            while (heap.Count > 0)
            {
                var id = heap.Dequeue();
                _candidates.Add(id);
                kept += weights[id];
            }

            _candidates.Reverse();
            return (true, kept);
        }

        double total = 0;
        foreach (var w in weights)
        {
            total += w;
        }

        if (_options.TopP < 1)
        {
            // The nucleus lies among the tokens above some weight c once their mass reaches top-p: find such a c
            // and sort only those, instead of the whole vocabulary.
            for (var cutoff = 1e-3; ; cutoff *= 1e-3)
            {
                _candidates.Clear();
                double mass = 0;
                for (var i = 0; i < weights.Length; i++)
                {
                    if (weights[i] >= cutoff)
                    {
                        _candidates.Add(i);
                        mass += weights[i];
                    }
                }

                if (mass >= _options.TopP * total || cutoff < 1e-300)
                {
                    break;
                }
            }

            return (false, total);
        }

        for (var i = 0; i < weights.Length; i++)
        {
            _candidates.Add(i);
        }

        return (false, total);
    }

    private void SortDescending(double[] weights) =>
        _candidates.Sort((a, b) => weights[b].CompareTo(weights[a]) is var c && c != 0 ? c : a.CompareTo(b));
}

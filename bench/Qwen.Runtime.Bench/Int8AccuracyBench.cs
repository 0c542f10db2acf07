using System.Text.Json;

namespace Qwen.Runtime.Bench;

/// <summary>
/// Accuracy of a low-precision load (int8 by default) against float32 on one checkpoint: float32 decodes greedily
/// after a fixed prompt; the other model is fed the same tokens (teacher forcing), and at every step the two logit rows
/// are compared (max |Δlogit|, and whether the top-1 tokens agree). The free-running low-precision greedy run is also
/// compared with float32's, token by token.
/// </summary>
internal static class Int8AccuracyBench
{
    public static void Run(string model, ModelDType dtype, int steps, int? threads)
    {
        // A fixed, arbitrary prompt of 16 ids inside every Qwen vocabulary.
        int[] prompt = [9707, 11, 1879, 0, 358, 1079, 264, 1550, 13, 3555, 374, 279, 6722, 315, 9625, 30];
        using var reference = QwenModel.Load(model, new QwenModelOptions { Device = "cpu", DType = ModelDType.Float32, Threads = threads });
        using var low = QwenModel.Load(model, new QwenModelOptions { Device = "cpu", DType = dtype, Threads = threads });
        prompt = [.. prompt.Select(id => id % reference.Config.VocabSize)];

        using var referenceCache = reference.CreateCache(prompt.Length + steps);
        using var lowCache = low.CreateCache(prompt.Length + steps);
        using var freeCache = low.CreateCache(prompt.Length + steps);
        var expected = reference.Forward(prompt, referenceCache);
        var actual = low.Forward(prompt, lowCache);
        var free = low.Forward(prompt, freeCache);
        double maxDelta = 0, sumDelta = 0, maxRelative = 0;
        int top1 = 0, freeAgree = 0, firstDivergence = -1;
        for (var t = 0; t < steps; t++)
        {
            var delta = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            var range = expected.Max() - expected.Min();
            maxDelta = Math.Max(maxDelta, delta);
            maxRelative = Math.Max(maxRelative, delta / range);
            sumDelta += delta;
            var token = ArgMax(expected);
            top1 += ArgMax(actual) == token ? 1 : 0;
            var freeToken = ArgMax(free);
            freeAgree += freeToken == token ? 1 : 0;
            if (freeToken != token && firstDivergence < 0)
            {
                firstDivergence = t;
            }

            expected = reference.Forward([token], referenceCache);
            actual = low.Forward([token], lowCache);
            free = low.Forward([freeToken], freeCache);
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            model,
            dtype = dtype.ToString(),
            steps,
            maxAbsDeltaLogit = maxDelta,
            meanMaxAbsDeltaLogit = sumDelta / steps,
            maxDeltaOverLogitRange = maxRelative,
            top1AgreementTeacherForced = top1 / (double)steps,
            freeRunningAgreement = freeAgree / (double)steps,
            freeRunningFirstDivergence = firstDivergence,
        }));
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }
}

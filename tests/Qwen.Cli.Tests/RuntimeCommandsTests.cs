using System.Text.Json;

namespace Qwen.Cli.Tests;

/// <summary>End to end: <c>qwen generate</c>, <c>qwen bench</c> and <c>qwen make-tiny-model</c> on fixture and freshly written models.</summary>
public sealed class RuntimeCommandsTests
{
    private static readonly string Qwen2Tiny = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-models", "qwen2_tiny");

    [Fact]
    public async Task Generate_JsonGreedyLogits_MatchesLlamaCpp()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(Qwen2Tiny, "golden_llamacpp.json")));
        var promptIds = golden.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        var result = await CliRunner.RunAsync(
            "generate", "--model", Qwen2Tiny, "--prompt-ids", string.Join(',', promptIds), "--max-tokens", "16", "--greedy", "--logits", "--json", "--device", "cpu");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.StdErr);
        using var output = JsonDocument.Parse(result.StdOut);
        var root = output.RootElement;
        Assert.Equal(promptIds, root.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(
            golden.RootElement.GetProperty("greedy").EnumerateArray().Select(e => e.GetInt32()),
            root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(golden.RootElement.GetProperty("greedy_text").GetString(), root.GetProperty("text").GetString());
        var expected = golden.RootElement.GetProperty("all_logits_first").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var actual = root.GetProperty("first_logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
    }

    [Fact]
    public async Task Generate_PromptText_EncodesLikePromptIds()
    {
        // " the world" in Qwen's tokenizer: Ġthe (279), Ġworld (1879).
        var byText = await CliRunner.RunAsync("generate", "--model", Qwen2Tiny, "--prompt", " the world", "--max-tokens", "5", "--greedy", "--json", "--device", "cpu");
        var byIds = await CliRunner.RunAsync("generate", "--model", Qwen2Tiny, "--prompt-ids", "279,1879", "--max-tokens", "5", "--greedy", "--json", "--device", "cpu");

        Assert.Equal(0, byText.ExitCode);
        using var output = JsonDocument.Parse(byText.StdOut);
        Assert.Equal([279, 1879], output.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(byIds.StdOut, byText.StdOut);
    }

    [Theory]
    [InlineData("int8", "Int8")]
    [InlineData("int4", "Int4")]
    public async Task GenerateAndBench_QuantizedDtype_RunWithThoseWeights(string dtype, string reported)
    {
        var generated = await CliRunner.RunAsync("generate", "--model", Qwen2Tiny, "--prompt-ids", "279,1879", "--max-tokens", "6", "--greedy", "--ignore-eos", "--json", "--device", "cpu", "--dtype", dtype);
        Assert.Equal(0, generated.ExitCode);
        using (var output = JsonDocument.Parse(generated.StdOut))
        {
            Assert.Equal(6, output.RootElement.GetProperty("ids").GetArrayLength());
        }

        var bench = await CliRunner.RunAsync("bench", "--model", Qwen2Tiny, "--prompt-tokens", "16", "--gen-tokens", "4", "--repeats", "1", "--threads", "1", "--device", "cpu", "--dtype", dtype, "--json");
        Assert.Equal(0, bench.ExitCode);
        using var figures = JsonDocument.Parse(bench.StdOut);
        Assert.Equal(reported, figures.RootElement.GetProperty("dtype").GetString());
        Assert.True(figures.RootElement.GetProperty("decode_tok_s").GetDouble() > 0);
    }

    [Fact]
    public async Task Generate_UnknownDtype_OneLineErrorListingTheQuantizedTypes()
    {
        var result = await CliRunner.RunAsync("generate", "--model", Qwen2Tiny, "--prompt-ids", "1,2", "--device", "cpu", "--dtype", "int3");

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("int8", result.StdErr);
        Assert.Contains("int4", result.StdErr);
    }

    [Theory]
    [InlineData("int3")]
    [InlineData("1")]
    public async Task Bench_UnknownDType_OneLineErrorListingTheTypes(string dtype)
    {
        var result = await CliRunner.RunAsync("bench", "--model", Qwen2Tiny, "--dtype", dtype, "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("qwen: ", result.StdErr);
        Assert.Contains($"--dtype '{dtype}' is not one of float32, bfloat16, float16", result.StdErr);
    }

    [Theory]
    [InlineData("1,x,3", "'x' is not a token id")]
    [InlineData("1,99999", "99999")]
    public async Task Generate_BadPromptIds_OneLineError(string ids, string expected)
    {
        var result = await CliRunner.RunAsync("generate", "--model", Qwen2Tiny, "--prompt-ids", ids, "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("qwen: ", result.StdErr);
        Assert.Contains(expected, result.StdErr);
    }

    [Theory]
    [InlineData("tpu", "--device 'tpu' is not one of auto, cpu, cuda, cuda:N")]
    [InlineData("cuda:x", "--device 'cuda:x' is not one of auto, cpu, cuda, cuda:N")]
    public async Task Generate_BadDevice_OneLineErrorNamingTheFlag(string device, string expected)
    {
        var result = await CliRunner.RunAsync("generate", "--model", Qwen2Tiny, "--prompt-ids", "1,2", "--device", device);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.DoesNotContain("QwenModelOptions", result.StdErr);
    }

    [Fact]
    public async Task Generate_MissingModelDirectory_OneLineError()
    {
        var result = await CliRunner.RunAsync("generate", "--model", "/no/such/model", "--prompt-ids", "1,2");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("qwen: ", result.StdErr);
        Assert.Contains("/no/such/model", result.StdErr);
    }

    [Fact]
    public async Task MakeTinyModel_ThenGenerateAndBench_Work()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qwen-cli-tiny-" + Guid.NewGuid().ToString("N"));
        try
        {
            var made = await CliRunner.RunAsync("make-tiny-model", dir, "--arch", "qwen3", "--head-dim", "32", "--layers", "3", "--tie", "--seed", "7", "--json");
            Assert.Equal(0, made.ExitCode);
            using (var summary = JsonDocument.Parse(made.StdOut))
            {
                Assert.Equal("Qwen3ForCausalLM", summary.RootElement.GetProperty("architecture").GetString());
                Assert.Equal(3, summary.RootElement.GetProperty("layers").GetInt32());
            }

            // The byte-level tokenizer it writes is a real Qwen tokenizer.json: text prompts and chat work on it.
            var tokenized = await CliRunner.RunAsync("tokenize", "--model", dir, "Hi!");
            Assert.Equal(0, tokenized.ExitCode);
            Assert.Equal("72 105 33", tokenized.StdOut.Trim());
            var chatted = await CliRunner.RunAsync("chat", "--model", dir, "--max-tokens", "4", "Hello");
            Assert.Equal(0, chatted.ExitCode);
            Assert.Equal(string.Empty, chatted.StdErr);

            var generated = await CliRunner.RunAsync("generate", "--model", dir, "--prompt-ids", "72,105", "--max-tokens", "5", "--temperature", "0.9", "--seed", "1", "--ignore-eos", "--json");
            Assert.Equal(0, generated.ExitCode);
            using (var output = JsonDocument.Parse(generated.StdOut))
            {
                Assert.Equal(5, output.RootElement.GetProperty("ids").GetArrayLength());
                Assert.Equal("length", output.RootElement.GetProperty("finish_reason").GetString());
            }

            var bench = await CliRunner.RunAsync("bench", "--model", dir, "--prompt-tokens", "32", "--gen-tokens", "8", "--repeats", "1", "--threads", "1", "--json");
            Assert.Equal(0, bench.ExitCode);
            using var figures = JsonDocument.Parse(bench.StdOut);
            foreach (var key in new[] { "load_s", "prefill_tok_s", "decode_tok_s", "peak_rss_mb" })
            {
                Assert.True(figures.RootElement.GetProperty(key).GetDouble() > 0, key);
            }

            Assert.Equal(1, figures.RootElement.GetProperty("threads").GetInt32());
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Generate_StreamingText_PrintsTheDecodedContinuation()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(Qwen2Tiny, "golden_llamacpp.json")));
        var promptIds = string.Join(',', golden.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));

        var result = await CliRunner.RunAsync("generate", "--model", Qwen2Tiny, "--prompt-ids", promptIds, "--max-tokens", "2", "--greedy");

        Assert.Equal(0, result.ExitCode);
        // The two tokens spell " can();\r\n"; the command ends its output with a newline.
        Assert.Equal(" can();\r\n\n", result.StdOut);
    }

    [Fact]
    public async Task MakeTinyModel_BadShape_OneLineError()
    {
        var result = await CliRunner.RunAsync("make-tiny-model", Path.Combine(Path.GetTempPath(), "never-written"), "--heads", "4", "--kv-heads", "3");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("KvHeads", result.StdErr);
    }

    [Fact]
    public async Task MakeTinyModel_TokenizerDirectoryWithoutTokenizer_OneLineErrorNamingTheFlag()
    {
        var empty = Directory.CreateTempSubdirectory("qwen-no-tokenizer-");
        var target = Path.Combine(empty.FullName, "model");
        try
        {
            var result = await CliRunner.RunAsync("make-tiny-model", target, "--tokenizer", empty.FullName);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("--tokenizer must name a directory holding tokenizer.json", result.StdErr);
            Assert.DoesNotContain("TinyModelOptions", result.StdErr);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}

using System.Text.Json.Nodes;

namespace Qwen.Core.Tests;

/// <summary>Schema cases: with noise for logits, everything generated under the grammar must parse and validate.</summary>
public sealed class JsonGrammarTests
{
    public static TheoryData<string, string> Schemas => new()
    {
        { "object", """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"score":{"type":"number"},"ok":{"type":"boolean"}},"required":["name","age","score","ok"],"additionalProperties":false}""" },
        { "optional properties", """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"null"}},"required":["b"],"additionalProperties":false}""" },
        { "enum and const", """{"type":"object","properties":{"color":{"enum":["red","green","blue"]},"v":{"const":{"x":[1,2,"é"]}},"n":{"enum":[1,null,true,"a\"b"]}},"required":["color","v","n"],"additionalProperties":false}""" },
        { "anyOf", """{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"object","properties":{"k":{"type":"boolean"}},"required":["k"],"additionalProperties":false}]}""" },
        { "oneOf nullable", """{"type":"object","properties":{"v":{"oneOf":[{"type":"null"},{"type":"array","items":{"type":"integer"},"maxItems":3}]}},"required":["v"],"additionalProperties":false}""" },
        { "type array", """{"type":["string","null"]}""" },
        { "recursive ref", """{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["value","children"],"additionalProperties":false}}}""" },
        { "definitions ref", """{"type":"object","properties":{"a":{"$ref":"#/definitions/p"},"b":{"$ref":"#/definitions/p"}},"required":["a","b"],"additionalProperties":false,"definitions":{"p":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"],"additionalProperties":false}}}""" },
        { "min and max items", """{"type":"array","items":{"type":"string","enum":["a","b"]},"minItems":2,"maxItems":4}""" },
        { "min items only", """{"type":"array","items":{"type":"boolean"},"minItems":3}""" },
        { "prefix items", """{"type":"array","prefixItems":[{"type":"integer"},{"type":"string","enum":["x"]}],"items":false,"minItems":2}""" },
        { "pattern", """{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{3}-\\d{2,4}$"},"tag":{"type":"string","pattern":"^(foo|ba[rz])+\\.v[0-9]?$"}},"required":["code","tag"],"additionalProperties":false}""" },
        { "unanchored pattern", """{"type":"string","pattern":"ab+c"}""" },
        { "formats", """{"type":"object","properties":{"d":{"type":"string","format":"date"},"t":{"type":"string","format":"time"},"dt":{"type":"string","format":"date-time"},"u":{"type":"string","format":"uuid"}},"required":["d","t","dt","u"],"additionalProperties":false}""" },
        { "string lengths", """{"type":"array","items":{"type":"string","minLength":2,"maxLength":5},"minItems":1,"maxItems":3}""" },
        { "additional properties schema", """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":{"type":"boolean"}}""" },
        { "free object", """{"type":"object"}""" },
        { "any value", """{}""" },
        { "nested arrays", """{"type":"array","items":{"type":"array","items":{"type":"number"},"maxItems":2},"maxItems":3}""" },
        { "allOf merge", """{"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"string"}},"required":["b"]}]}""" },
        { "nullable keyword", """{"type":"object","properties":{"n":{"type":"integer","nullable":true}},"required":["n"],"additionalProperties":false}""" },
        { "non-negative", """{"type":"object","properties":{"count":{"type":"integer","minimum":0}},"required":["count"],"additionalProperties":false}""" },
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public void FromSchema_NoiseLogits_OutputValidates(string name, string schema)
    {
        Assert.NotEmpty(name);
        GrammarTestKit.GenerateValid(schema);
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void FromSchema_TightBudget_OutputStillCompleteAndValid(string name, string schema)
    {
        Assert.NotEmpty(name);
        var constraint = TokenConstraint.Create(JsonGrammar.FromSchema(schema), GrammarTestKit.Tiny);
        for (var seed = 0; seed < 3; seed++)
        {
            // The budget is just enough for the shortest valid answer plus a little: the matcher must steer to the end in time.
            var (_, text, _) = GrammarTestKit.Generate(constraint, GrammarTestKit.Tiny, seed, MinimumBytes(constraint) + 3);
            GrammarTestKit.AssertValid(schema, text);
        }
    }

    [Fact]
    public void AnyValue_NoiseLogits_OutputIsJson()
    {
        var constraint = TokenConstraint.Create(JsonGrammar.AnyValue, GrammarTestKit.Tiny);
        for (var seed = 0; seed < 6; seed++)
        {
            var (_, text, _) = GrammarTestKit.Generate(constraint, GrammarTestKit.Tiny, seed, 120);
            using var document = System.Text.Json.JsonDocument.Parse(text);
        }
    }

    [Fact]
    public void FromSchema_FullQwenVocabulary_MultiByteTokensStayValid()
    {
        const string Schema = """{"type":"object","properties":{"title":{"type":"string"},"tags":{"type":"array","items":{"type":"string"},"maxItems":3},"when":{"type":"string","format":"date-time"}},"required":["title","tags","when"],"additionalProperties":false}""";
        var tokenizer = GrammarTestKit.Full;
        var constraint = TokenConstraint.Create(JsonGrammar.FromSchema(Schema), tokenizer);
        var end = GrammarTestKit.EndId(tokenizer);
        var matcher = constraint.CreateMatcher([end]);

        // A start the real tokenizer writes with multi-byte (and partial-character) tokens, then noise.
        var ids = tokenizer.EncodeToIds("{\"title\": \"天气预报 🌦️").ToList();
        ids.ForEach(matcher.Accept);
        var random = new Random(2);
        var logits = new float[tokenizer.VocabularySize];
        for (var remaining = 40; remaining > 0; remaining--)
        {
            for (var i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)random.NextDouble();
            }

            matcher.Mask(logits, remaining);
            var best = Array.IndexOf(logits, logits.Max());
            if (best == end)
            {
                break;
            }

            matcher.Accept(best);
            ids.Add(best);
        }

        var text = tokenizer.Decode(ids);
        GrammarTestKit.AssertValid(Schema, text);
        Assert.StartsWith("天气预报 🌦️", JsonNode.Parse(text)!["title"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void ForToolCall_TwoFunctions_WritesACallToOneOfThem()
    {
        var weather = Microsoft.Extensions.AI.AIFunctionFactory.Create((string city, int days) => "sunny", "get_weather");
        var time = Microsoft.Extensions.AI.AIFunctionFactory.Create((string zone) => "12:00", "get_time");
        var constraint = TokenConstraint.Create(JsonGrammar.ForToolCall([weather, time], "\n</tool_call>"), GrammarTestKit.Tiny);
        for (var seed = 0; seed < 6; seed++)
        {
            var (_, text, _) = GrammarTestKit.Generate(constraint, GrammarTestKit.Tiny, seed, 80);
            Assert.EndsWith("}\n</tool_call>", text, StringComparison.Ordinal);
            var call = JsonNode.Parse(text[..^"\n</tool_call>".Length])!;
            var name = call["name"]!.GetValue<string>();
            var function = name == "get_weather" ? weather : name == "get_time" ? time : throw new Xunit.Sdk.XunitException($"unknown function {name}");
            GrammarTestKit.AssertValid(function.JsonSchema.GetRawText(), call["arguments"]!.ToJsonString());
        }
    }

    [Fact]
    public void ForAnswerOrToolCall_EitherBranch_ValidatesAsItsOwn()
    {
        const string Schema = """{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"additionalProperties":false}""";
        var tokenizer = GrammarTestKit.Tiny;
        var weather = Microsoft.Extensions.AI.AIFunctionFactory.Create((string city) => "sunny", "get_weather");
        using var schema = System.Text.Json.JsonDocument.Parse(Schema);
        var constraint = TokenConstraint.Create(JsonGrammar.ForAnswerOrToolCall(schema.RootElement, [weather], "<tool_call>", "\n</tool_call>"), tokenizer);
        var open = tokenizer.TokenToId("<tool_call>")!.Value;
        foreach (var callFirst in new[] { false, true })
        {
            var matcher = constraint.CreateMatcher([GrammarTestKit.EndId(tokenizer)]);
            var random = new Random(9);
            var logits = new float[tokenizer.VocabularySize];
            var ids = new List<int>();
            for (var step = 0; step < 80; step++)
            {
                for (var i = 0; i < logits.Length; i++)
                {
                    logits[i] = (float)random.NextDouble();
                }

                if (step == 0)
                {
                    logits[open] = callFirst ? 100 : float.NegativeInfinity;
                }

                matcher.Mask(logits, 80 - step);
                var best = Array.IndexOf(logits, logits.Max());
                if (best == GrammarTestKit.EndId(tokenizer))
                {
                    break;
                }

                matcher.Accept(best);
                ids.Add(best);
            }

            var text = tokenizer.Decode(ids);
            if (callFirst)
            {
                Assert.StartsWith("<tool_call>\n", text, StringComparison.Ordinal);
                Assert.EndsWith("\n</tool_call>", text, StringComparison.Ordinal);
                var call = JsonNode.Parse(text["<tool_call>\n".Length..^"\n</tool_call>".Length])!;
                Assert.Equal("get_weather", call["name"]!.GetValue<string>());
                GrammarTestKit.AssertValid(weather.JsonSchema.GetRawText(), call["arguments"]!.ToJsonString());
            }
            else
            {
                GrammarTestKit.AssertValid(Schema, text);
            }
        }
    }

    [Theory]
    [InlineData("""{"not":{"type":"string"}}""", "not")]
    [InlineData("""{"type":"object","properties":{"a":{"if":{"type":"string"},"then":{"minLength":1}}}}""", "if")]
    [InlineData("""{"type":"object","patternProperties":{"^x":{"type":"string"}}}""", "patternProperties")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""", "$ref")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "$ref")]
    [InlineData("""{"type":"strin"}""", "type")]
    [InlineData("""{"enum":[]}""", "enum")]
    [InlineData("""{"type":"array","minItems":3,"maxItems":2}""", "minItems")]
    public void FromSchema_UnsupportedOrInvalid_ThrowsNamingTheKeyword(string schema, string keyword)
    {
        var e = Assert.Throws<JsonGrammarException>(() => JsonGrammar.FromSchema(schema));
        Assert.Equal(keyword, e.Keyword);
        Assert.Contains(keyword, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSchema_InfiniteRequiredRecursion_Throws()
    {
        var e = Assert.Throws<JsonGrammarException>(() => JsonGrammar.FromSchema("""{"$ref":"#/$defs/a","$defs":{"a":{"type":"object","properties":{"a":{"$ref":"#/$defs/a"}},"required":["a"]}}}"""));
        Assert.Contains("no finite", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSchema_NotJson_Throws() =>
        Assert.Throws<JsonGrammarException>(() => JsonGrammar.FromSchema("{nope"));

    [Fact]
    public void FromSchema_NarrowingKeywords_AreIgnoredAndListed()
    {
        var grammar = JsonGrammar.FromSchema("""{"type":"object","properties":{"n":{"type":"integer","maximum":5,"multipleOf":2},"s":{"type":"string","format":"email","pattern":"(?=x)y"},"q":{"x-vendor":1}},"required":["n","s"]}""");
        Assert.Contains(grammar.IgnoredKeywords, w => w.Contains("'maximum'", StringComparison.Ordinal) && w.StartsWith("#/properties/n", StringComparison.Ordinal));
        Assert.Contains(grammar.IgnoredKeywords, w => w.Contains("'multipleOf'", StringComparison.Ordinal));
        Assert.Contains(grammar.IgnoredKeywords, w => w.Contains("email", StringComparison.Ordinal));
        Assert.Contains(grammar.IgnoredKeywords, w => w.Contains("'pattern' is not enforced", StringComparison.Ordinal));
        Assert.Contains(grammar.IgnoredKeywords, w => w.Contains("x-vendor", StringComparison.Ordinal));
        Assert.Empty(JsonGrammar.FromSchema("""{"type":"object","title":"T","description":"d","properties":{"a":{"type":"string","default":"x"}}}""").IgnoredKeywords);
    }

    [Fact]
    public void TokenMatcher_UnmaskedDisallowedToken_Throws()
    {
        var constraint = TokenConstraint.Create(JsonGrammar.FromSchema("""{"type":"integer"}"""), GrammarTestKit.Tiny);
        var matcher = constraint.CreateMatcher([GrammarTestKit.EndId(GrammarTestKit.Tiny)]);
        var letter = GrammarTestKit.Tiny.TokenToId("a")!.Value;
        Assert.Throws<InvalidOperationException>(() => matcher.Accept(letter));
    }

    [Fact]
    public void CreateMatcher_NoEndToken_Throws()
    {
        var constraint = TokenConstraint.Create(JsonGrammar.AnyValue, GrammarTestKit.Tiny);
        Assert.Throws<ArgumentException>(() => constraint.CreateMatcher([]));
    }

    [Fact]
    public void Reasoning_BudgetRunsLow_ClosesThinkingAndAnswersWithValidJson()
    {
        const string Schema = """{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"],"additionalProperties":false}""";
        var options = new TokenConstraintOptions { ReasoningStart = "<think>", ReasoningEnd = "</think>", StartsInReasoning = true };
        var constraint = TokenConstraint.Create(JsonGrammar.FromSchema(Schema), GrammarTestKit.Tiny, options);
        var (_, text, _) = GrammarTestKit.Generate(constraint, GrammarTestKit.Tiny, seed: 3, maxTokens: 60);
        var close = text.IndexOf("</think>", StringComparison.Ordinal);
        Assert.True(close > 0, text);
        GrammarTestKit.AssertValid(Schema, text[(close + "</think>".Length)..]);
    }

    [Fact]
    public void Trigger_LazyConstraint_FreeTextThenConstrainedAfterTheTrigger()
    {
        var tokenizer = GrammarTestKit.Tiny;
        const string Schema = """{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"],"additionalProperties":false}""";
        var constraint = TokenConstraint.Create(JsonGrammar.FromSchema(Schema, "\n</tool_call>"), tokenizer, new TokenConstraintOptions { Trigger = "<tool_call>" });
        var matcher = constraint.CreateMatcher([GrammarTestKit.EndId(tokenizer)]);
        var logits = new float[tokenizer.VocabularySize];
        matcher.Mask(logits, 100);
        Assert.DoesNotContain(logits, float.IsNegativeInfinity);
        foreach (var id in tokenizer.EncodeToIds("Let me call it. <tool_call>"))
        {
            matcher.Accept(id);
        }

        Assert.False(matcher.IsComplete);
        var random = new Random(5);
        var ids = new List<int>();
        for (var step = 0; step < 60 && !matcher.IsComplete; step++)
        {
            for (var i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)random.NextDouble();
            }

            matcher.Mask(logits, 60 - step);
            var best = Array.IndexOf(logits, logits.Max());
            matcher.Accept(best);
            ids.Add(best);
        }

        var text = tokenizer.Decode(ids);
        Assert.True(matcher.IsComplete, text);
        Assert.EndsWith("\n</tool_call>", text, StringComparison.Ordinal);
        GrammarTestKit.AssertValid(Schema, text[..^"\n</tool_call>".Length]);
        Array.Fill(logits, 1f);
        matcher.Mask(logits, 10);
        Assert.DoesNotContain(logits, float.IsNegativeInfinity);
    }

    private static int MinimumBytes(TokenConstraint constraint) => constraint.Space.Start.Distance;
}

using System.Text.Json.Nodes;

namespace Qwen.Core.Tests;

/// <summary>Property-based: random schemas from a seeded generator; for every one, what the grammar lets noise write validates.</summary>
public sealed class RandomSchemaTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(0, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomSchema_NoiseLogits_EveryOutputValidates(int seed)
    {
        var generator = new SchemaGenerator(new Random(seed));
        var schema = generator.Root().ToJsonString();
        var constraint = TokenConstraint.Create(JsonGrammar.FromSchema(schema), GrammarTestKit.Tiny);
        Assert.Empty(constraint.Grammar.IgnoredKeywords);
        for (var run = 0; run < 3; run++)
        {
            // Generous and tight budgets alike must end in a complete, valid value.
            var budget = run == 2 ? constraint.Space.Start.Distance + 2 : 150;
            var (_, text, _) = GrammarTestKit.Generate(constraint, GrammarTestKit.Tiny, (seed * 31) + run, budget);
            GrammarTestKit.AssertValid(schema, text);
        }
    }

    /// <summary>Random schemas over the supported keywords (no keyword the grammar leaves unenforced).</summary>
    private sealed class SchemaGenerator(Random random)
    {
        private readonly JsonObject _defs = [];

        public JsonObject Root()
        {
            var root = Schema(0);
            if (_defs.Count > 0)
            {
                root = root.ContainsKey("$ref") ? new JsonObject { ["allOf"] = new JsonArray(root) } : root;
                root["$defs"] = _defs;
            }

            return root;
        }

        private JsonObject Schema(int depth)
        {
            var pick = random.Next(depth >= 3 ? 8 : 13);
            return pick switch
            {
                0 => new JsonObject { ["type"] = "string" },
                1 => new JsonObject { ["type"] = "integer" },
                2 => new JsonObject { ["type"] = "number" },
                3 => new JsonObject { ["type"] = "boolean" },
                4 => new JsonObject { ["enum"] = new JsonArray("a", 1, null, "ü x", false) },
                5 => new JsonObject { ["const"] = random.Next(2) == 0 ? "fixed" : 42 },
                6 => StringWithRules(),
                7 => new JsonObject { ["type"] = new JsonArray("integer", "null") },
                8 or 9 => Object(depth),
                10 => Array(depth),
                11 => new JsonObject { ["anyOf"] = new JsonArray(Schema(depth + 1), Schema(depth + 1)) },
                _ => Reference(depth),
            };
        }

        private JsonObject StringWithRules() => random.Next(5) switch
        {
            0 => new JsonObject { ["type"] = "string", ["format"] = "date" },
            1 => new JsonObject { ["type"] = "string", ["format"] = "uuid" },
            2 => new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z]{2,5}(-[0-9]+)?$" },
            3 => new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 4 },
            _ => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        };

        private JsonObject Object(int depth)
        {
            var properties = new JsonObject();
            var required = new JsonArray();
            var count = random.Next(0, 4);
            for (var i = 0; i < count; i++)
            {
                var name = "p" + i + (random.Next(3) == 0 ? " \"q\"" : string.Empty);
                properties[name] = Schema(depth + 1);
                if (random.Next(2) == 0)
                {
                    required.Add(name);
                }
            }

            return new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required, ["additionalProperties"] = false };
        }

        private JsonObject Array(int depth)
        {
            var min = random.Next(0, 3);
            var array = new JsonObject { ["type"] = "array", ["items"] = Schema(depth + 1), ["minItems"] = min };
            if (random.Next(2) == 0)
            {
                array["maxItems"] = min + random.Next(0, 3);
            }

            return array;
        }

        private JsonObject Reference(int depth)
        {
            var name = "d" + _defs.Count;
            _defs[name] = null;
            _defs[name] = random.Next(2) == 0
                ? Schema(depth + 1)
                : new JsonObject
                {
                    // Recursive: a linked list whose tail is optional.
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["v"] = Schema(depth + 1), ["next"] = new JsonObject { ["$ref"] = "#/$defs/" + name } },
                    ["required"] = new JsonArray("v"),
                    ["additionalProperties"] = false,
                };
            return new JsonObject { ["$ref"] = "#/$defs/" + name };
        }
    }
}

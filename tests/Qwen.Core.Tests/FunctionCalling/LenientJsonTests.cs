using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class LenientJsonTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("""{"a": 1, "b": [true, false, null], "c": {"d": "e"}}""", """{"a":1,"b":[true,false,null],"c":{"d":"e"}}""")]
    [InlineData("""{"a": 1,}""", """{"a":1}""")] // trailing comma in an object
    [InlineData("""{"a": [1, 2, ], }""", """{"a":[1,2]}""")] // trailing comma in an array
    [InlineData("""{"a": 1,, "b": 2}""", """{"a":1,"b":2}""")] // doubled comma
    [InlineData("{'a': 'it\\'s', \"b\": 'say \"hi\"'}", """{"a":"it's","b":"say \"hi\""}""")] // single quotes
    [InlineData("{\n  // why\n  \"a\": 1, /* note */ \"b\": 2 // end\n}", """{"a":1,"b":2}""")] // comments
    [InlineData("{\"text\": \"line1\nline2\tend\"}", """{"text":"line1\nline2\tend"}""")] // raw newline and tab in a string
    [InlineData("""{city: "Paris", max_count: 3, $ref: 1}""", """{"city":"Paris","max_count":3,"$ref":1}""")] // unquoted keys
    [InlineData("""{"a": True, "b": False, "c": None}""", """{"a":true,"b":false,"c":null}""")] // Python literals
    [InlineData("""{"a": +1, "b": .5, "c": 5., "d": 0x1F, "e": -0x10, "f": 1e3, "g": 007}""", """{"a":1,"b":0.5,"c":5,"d":31,"e":-16,"f":1e3,"g":7}""")] // JSON5 numbers
    [InlineData("""{"a": "\x41\u00e9\/", "b": "\d+\.txt"}""", """{"a":"Aé/","b":"\\d+\\.txt"}""")] // JSON5 escapes, unknown escapes kept
    [InlineData("{\"a\": \"one \\\ntwo\"}", """{"a":"one two"}""")] // line continuation
    [InlineData("""{"code": "print("hi")", "n": 1}""", """{"code":"print(\"hi\")","n":1}""")] // unescaped inner quotes
    [InlineData("""{"a": "x" "b": "y"}""", """{"a":"x","b":"y"}""")] // missing comma
    [InlineData("```json\n{\"a\": 1}\n```", """{"a":1}""")] // markdown fence
    [InlineData("""{"a": {"b": 1}}}""", """{"a":{"b":1}}""")] // surplus closing bracket
    [InlineData("""{"a": 1, "a": 2}""", """{"a":2}""")] // duplicate key: last wins
    [InlineData("\uFEFF {\"a\": 1}", """{"a":1}""")] // byte order mark
    public void TryParseObject_RepairableText_ReturnsTheIntendedObject(string text, string expectedJson)
    {
        Assert.True(LenientJson.TryParseObject(text, out var value, out var error), error);
        Assert.Null(error);
        Assert.Equal(expectedJson, value.ToJsonString(Relaxed));
    }

    [Theory]
    [InlineData("""{"a": {"b": [1, 2""", """{"a":{"b":[1,2]}}""")] // open array and objects closed
    [InlineData("""{"name": "f", "arguments": {"city": "Par""", """{"name":"f","arguments":{"city":"Par"}}""")] // open string closed
    [InlineData("""{"a": 1,""", """{"a":1}""")]
    [InlineData("""{"a": "x\""", """{"a":"x"}""")] // cut right after a backslash
    [InlineData("""{"a": 1 /* cut""", """{"a":1}""")]
    public void TryParseObject_TruncatedText_ClosesOpenStringsAndBrackets(string text, string expectedJson)
    {
        Assert.True(LenientJson.TryParseObject(text, out var value, out var error), error);
        Assert.Equal(expectedJson, value.ToJsonString(Relaxed));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("[1, 2]", "expected a JSON object but found an array")]
    [InlineData("\"text\"", "expected a JSON object but found the value")]
    [InlineData("""{"a": 1} and more""", "unexpected text after the JSON value")]
    [InlineData("""{"a": tru""", "ends inside the literal 'tru'")]
    [InlineData("""{"a": 1e""", "exponent")]
    [InlineData("""{"a": -""", "has no digits")]
    [InlineData("{\"a\"", "without a value")]
    [InlineData("""{"a":""", "before the value of property 'a'")]
    [InlineData("""{"a": Paris}""", "unexpected word 'Paris'")]
    [InlineData("""{"a": NaN}""", "NaN and Infinity")]
    [InlineData("""{"a": -Infinity}""", "NaN and Infinity")]
    [InlineData("""{a 1}""", "expected ':' after the property name 'a'")]
    [InlineData("""{"a": 1]""", "found ']'")]
    [InlineData("""[1, }""", "found '}'")]
    [InlineData("""{"a": 1 @}""", "expected ',' or '}' after the value of property 'a'")]
    [InlineData("""{"a": @}""", "unexpected character '@}'")]
    [InlineData("""{"a": "say "hi" and""", "ambiguous")]
    [InlineData("```python\nprint(1)\n```", "unexpected character")]
    public void TryParseObject_UnrepairableText_ReturnsFalseWithReason(string text, string reasonPart)
    {
        Assert.False(LenientJson.TryParseObject(text, out var value, out var error));
        Assert.Null(value);
        Assert.Contains(reasonPart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseObject_DeepNesting_FailsInsteadOfOverflowingTheStack()
    {
        var text = "{\"a\":" + string.Concat(Enumerable.Repeat("[", 100_000));

        Assert.False(LenientJson.TryParseObject(text, out _, out var error));
        Assert.Contains("nests deeper than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseObject_ErrorOffset_PointsAtTheProblem()
    {
        Assert.False(LenientJson.TryParseObject("""{"a": 1, "b": @}""", out _, out var error));
        Assert.StartsWith("invalid JSON at offset 14:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseObject_LargeNumberAndHex_KeepsFullPrecision()
    {
        Assert.True(LenientJson.TryParseObject("{\"big\": 123456789012345678901234567890, \"hex\": 0xFFFFFFFFFFFFFFFFFF}", out var value, out _));
        Assert.Equal("""{"big":123456789012345678901234567890,"hex":4722366482869645213695}""", value.ToJsonString());
    }

    [Fact]
    public void TryParseObject_Null_Throws() =>
        Assert.Throws<ArgumentNullException>("text", () => LenientJson.TryParseObject(null!, out JsonObject? _, out _));
}

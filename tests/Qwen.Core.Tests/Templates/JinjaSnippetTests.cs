using System.Text.Json.Nodes;
using Qwen.Core;

namespace Qwen.Core.Tests;

/// <summary>Small templates over every supported Jinja feature, checked against what Python Jinja2 renders with transformers' settings.</summary>
public sealed class JinjaSnippetTests
{
    private static readonly Lazy<JsonArray> Snippets = new(() => TemplateFixtures.ReadArray("jinja", "snippets.json"));

    public static TheoryData<string> RenderingCases() => Names(expectError: false);

    public static TheoryData<string> FailingCases() => Names(expectError: true);

    [Theory]
    [MemberData(nameof(RenderingCases))]
    public void RenderJson_Snippet_MatchesPythonJinja2(string name)
    {
        var snippet = TemplateFixtures.Case(Snippets.Value, name);

        var text = Render(snippet);

        Assert.Equal(snippet["expected"]!["text"]!.GetValue<string>(), text);
    }

    [Theory]
    [MemberData(nameof(FailingCases))]
    public void RenderJson_SnippetThatFailsInPython_ThrowsTemplateExceptionWithPosition(string name)
    {
        var snippet = TemplateFixtures.Case(Snippets.Value, name);

        var error = Assert.Throws<TemplateException>(() => Render(snippet));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.True(error.Line >= 1 || error.RaisedByTemplate, $"no position in: {error.Message}");
    }

    [Fact]
    public void Snippets_IncludeBothRenderingAndFailingCases()
    {
        Assert.True(RenderingCases().Count >= 100);
        Assert.True(FailingCases().Count >= 20);
    }

    private static string Render(JsonObject snippet)
    {
        var context = (JsonObject)snippet["context"]!.DeepClone();
        var messages = context["messages"] as JsonArray ?? [];
        context.Remove("messages");
        var variables = context.ToDictionary(pair => pair.Key, pair => (object?)pair.Value?.DeepClone());
        var template = ChatTemplate.FromSource(snippet["template"]!.GetValue<string>());
        return template.RenderJson((JsonArray)messages.DeepClone(), new ChatTemplateOptions { ExtraVariables = variables });
    }

    private static TheoryData<string> Names(bool expectError)
    {
        var data = new TheoryData<string>();
        foreach (var snippet in Snippets.Value)
        {
            if ((snippet!["expected"]!["error"] is not null) == expectError)
            {
                data.Add(snippet["name"]!.GetValue<string>());
            }
        }

        return data;
    }
}

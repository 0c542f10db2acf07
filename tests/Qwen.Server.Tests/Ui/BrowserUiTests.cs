using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Qwen.Server.Tests;

/// <summary>The browser UI in a real headless Chromium, against a real server with the standard agents and tools and a scripted model.</summary>
public sealed partial class BrowserUiTests : IClassFixture<BrowserUiFixture>
{
    private const string HelloAnswer = "Hello from **Qwen**!\n\n| city | weather |\n| --- | --- |\n| Paris | sunny |\n\n```js\nconst x = 1 < 2;\n```\n\n<img src=x onerror=\"document.title='pwned'\"> stays text.";

    private readonly ServerHost _host;
    private readonly ChromeDriver _browser;

    public BrowserUiTests(BrowserUiFixture fixture)
    {
        _host = fixture.Host;
        _browser = fixture.Browser;
        _browser.Manage().Window.Size = new System.Drawing.Size(1280, 900);
    }

    [Fact]
    public void Chat_SendMessage_StreamedAnswerRenderedAsSafeMarkdown()
    {
        Open();

        Send("Hello");

        var bubble = _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.Contains("stays text", StringComparison.Ordinal)), "the answer");
        Assert.Equal("Qwen", bubble.FindElement(By.TagName("strong")).Text);
        Assert.Equal("sunny", bubble.FindElement(By.CssSelector("table tbody td:nth-child(2)")).Text);
        Assert.Equal("const x = 1 < 2;", bubble.FindElement(By.CssSelector("pre code")).Text);
        Assert.Contains("<img src=x onerror=", bubble.Text);
        Assert.Empty(bubble.FindElements(By.TagName("img")));
        Assert.NotEqual("pwned", _browser.Title);
        Assert.Equal("Hello", _browser.FindElement(By.CssSelector(".msg.user .bubble")).Text);
        _browser.WaitFor(d => d.FindElement(By.Id("send")).Displayed ? "ready" : null, "the send button to come back");
    }

    [Fact]
    public void Upload_Pdf_AssistantAnswerCitesIt()
    {
        Open();
        _browser.FindElement(By.CssSelector("#agent option[value='assistant']")).Click();

        _browser.FindElement(By.Id("file")).SendKeys(Path.Combine(AppContext.BaseDirectory, "Fixtures", "docs", "doc.pdf"));
        _browser.WaitFor(d => d.FindElement(By.Id("attachments")).Text.Contains("doc.pdf", StringComparison.Ordinal) ? "shown" : null, "the upload");
        Send("How do I rotate an image, according to the PDF?");

        var answer = _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.StartsWith("From doc.pdf", StringComparison.Ordinal)), "the answer", seconds: 40);
        Assert.Contains("def rotate_image(filename, degrees)", answer.Text);
        Assert.Empty(_browser.FindElements(By.CssSelector(".tool-card")));
    }

    [Fact]
    public void Upload_Pdf_FnCallAgentCitesItThroughTheRetrievalTool()
    {
        Open();
        _browser.FindElement(By.CssSelector("#agent option[value='fncall']")).Click();

        _browser.FindElement(By.Id("file")).SendKeys(Path.Combine(AppContext.BaseDirectory, "Fixtures", "docs", "doc.pdf"));
        _browser.WaitFor(d => d.FindElement(By.Id("attachments")).Text.Contains("doc.pdf", StringComparison.Ordinal) ? "shown" : null, "the upload");
        Send("How do I rotate an image, according to the PDF?");

        var card = _browser.WaitFor(d => d.FindElements(By.CssSelector(".tool-card.done")).FirstOrDefault(), "the retrieval card");
        Assert.Contains("retrieval", card.Text);
        var answer = _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.StartsWith("From doc.pdf", StringComparison.Ordinal)), "the answer");
        Assert.Contains("rotate_image", answer.Text);
    }

    [Fact]
    public void CodeInterpreter_Chart_ShownInlineAsAnImage()
    {
        Open();

        Send("Draw a chart of 4, 1, 5");

        var image = _browser.WaitFor(d => d.FindElements(By.CssSelector(".tool-card img")).FirstOrDefault(i => Convert.ToInt64(((IJavaScriptExecutor)d).ExecuteScript("return arguments[0].naturalWidth", i), System.Globalization.CultureInfo.InvariantCulture) > 100), "the chart image", seconds: 40);
        Assert.StartsWith("blob:", image.GetAttribute("src"));
        Assert.Contains("code_interpreter", _browser.FindElement(By.CssSelector(".tool-card .name")).Text);
        _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.Contains("the chart", StringComparison.Ordinal)), "the answer");

        // The chat page as a person sees it: user turn, reasoning, tool card with its chart, answer.
        var path = _browser.Screenshot("chat.png");
        Assert.True(new FileInfo(path).Length > 10_000);
    }

    [Fact]
    public void Stop_RunningAnswer_CancelledOnTheServer()
    {
        Open();

        Send("Talk forever");
        _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.Contains("tick", StringComparison.Ordinal)), "the streaming answer");
        _browser.FindElement(By.Id("stop")).Click();

        _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.error")).FirstOrDefault(e => e.Text == "Stopped."), "the stopped notice");
        _browser.WaitFor(d => d.FindElement(By.Id("send")).Displayed ? "ready" : null, "the send button to come back");
        var id = _browser.FindElement(By.CssSelector("#sessions li.active")).GetAttribute("data-id");
        Assert.False(Assert.IsType<bool>(Json($"api/sessions/{id}")["running"]!.GetValue<bool>()));
    }

    [Fact]
    public void Sessions_ResumedAfterReloadAndDeleted()
    {
        Open();
        Send("Hello, remember me");
        _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.Contains("stays text", StringComparison.Ordinal)), "the answer");
        _browser.WaitFor(d => d.FindElement(By.Id("send")).Displayed ? "ready" : null, "the run to end");

        Open();
        Assert.Empty(_browser.FindElements(By.CssSelector(".msg")));
        _browser.WaitFor(d => d.FindElements(By.CssSelector("#sessions li .open")).FirstOrDefault(b => b.Text == "Hello, remember me"), "the session in the list").Click();

        _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.Contains("stays text", StringComparison.Ordinal)), "the resumed answer");
        Assert.Equal("Hello, remember me", _browser.FindElement(By.CssSelector(".msg.user .bubble")).Text);
        _browser.FindElement(By.CssSelector("#sessions li.active .delete")).Click();
        _browser.WaitFor(d => d.FindElements(By.CssSelector("#sessions li .open")).All(b => b.Text != "Hello, remember me") ? "gone" : null, "the session to leave the list");
        Assert.Empty(_browser.FindElements(By.CssSelector(".msg")));
    }

    [Fact]
    public void PhoneWidth_SessionsBehindAButtonAndTheComposerFits()
    {
        _browser.Manage().Window.Size = new System.Drawing.Size(390, 844);
        Open();
        Send("Hello");
        _browser.WaitFor(d => d.FindElements(By.CssSelector(".msg.assistant .bubble")).FirstOrDefault(b => b.Text.Contains("stays text", StringComparison.Ordinal)), "the answer");

        var width = Convert.ToInt64(((IJavaScriptExecutor)_browser).ExecuteScript("return document.documentElement.scrollWidth"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(width, 300, 390);
        Assert.True(_browser.FindElement(By.Id("send")).Displayed);
        Assert.True(_browser.FindElement(By.Id("sidebar")).Location.X < 0, "the session list should be off screen");
        _browser.Screenshot("chat-phone.png");
        _browser.FindElement(By.Id("toggle-sidebar")).Click();
        _browser.WaitFor(d => d.FindElement(By.Id("sidebar")).Location.X >= 0 ? "shown" : null, "the session list");
    }

    internal static IAsyncEnumerable<ChatResponseUpdate> Script(IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var last = messages[^1];
        var question = messages.Last(m => m.Role == ChatRole.User).Text;
        if (question.EndsWith("\nKeywords:\n", StringComparison.Ordinal))
        {
            // The Assistant's keyword-generation call.
            return TestChatClient.Updates(new TextContent("""{"keywords_zh": ["旋转", "图片"], "keywords_en": ["rotate", "image"]}"""));
        }

        if (question.Contains("PDF", StringComparison.Ordinal) && messages.FirstOrDefault(m => m.Role == ChatRole.System && m.Text.Contains("def rotate_image", StringComparison.Ordinal)) is { } knowledge)
        {
            // The Assistant put the retrieved passages into the system message: answer from them.
            return TestChatClient.Updates(new TextContent("From doc.pdf: "), new TextContent(RotateLine().Match(knowledge.Text).Value));
        }

        if (last.Role == ChatRole.Tool)
        {
            var result = string.Concat(last.Contents.OfType<FunctionResultContent>().Select(r => r.Result?.ToString()));
            return question.Contains("PDF", StringComparison.Ordinal)
                ? TestChatClient.Updates(new TextContent("From doc.pdf: "), new TextContent(RotateLine().Match(result).Value))
                : TestChatClient.Updates(new TextContent("Here is the chart."));
        }

        if (question.Contains("forever", StringComparison.Ordinal))
        {
            return TestChatClient.Endless(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        if (question.Contains("PDF", StringComparison.Ordinal))
        {
            var file = FileNote().Match(question).Groups[1].Value;
            return TestChatClient.Updates(new FunctionCallContent("call_r", "retrieval", new Dictionary<string, object?> { ["query"] = "rotate image", ["files"] = new[] { file } }));
        }

        if (question.Contains("chart", StringComparison.Ordinal))
        {
            return TestChatClient.Updates(
                new TextReasoningContent("A line chart shows the three values best."),
                new FunctionCallContent("call_c", "code_interpreter", new Dictionary<string, object?> { ["code"] = "plot.line([1, 2, 3], [4, 1, 5], { title: 'Values' })" }));
        }

        // The answer streams in small pieces, as a model's would.
        return TestChatClient.Updates([.. HelloAnswer.Chunk(7).Select(c => (AIContent)new TextContent(new string(c)))]);
    }

    [GeneratedRegex(@"Files uploaded to this session: ([^,)]+)")]
    private static partial Regex FileNote();

    [GeneratedRegex(@"def rotate_image[^\n]*")]
    private static partial Regex RotateLine();

    private System.Text.Json.Nodes.JsonNode Json(string path) => System.Text.Json.Nodes.JsonNode.Parse(_host.Http.GetStringAsync(path).GetAwaiter().GetResult())!;

    private void Open()
    {
        _browser.Navigate().GoToUrl(_host.BaseAddress);
        _browser.WaitFor(d => d.FindElement(By.TagName("body")).GetAttribute("data-ready") == "true" ? "ready" : null, "the UI to start");
    }

    private void Send(string text)
    {
        var box = _browser.FindElement(By.Id("message"));
        box.SendKeys(text);
        _browser.FindElement(By.Id("send")).Click();
    }
}

/// <summary>One server and one browser for all the UI tests (Chromium takes seconds to start); each test opens a new chat.</summary>
public sealed class BrowserUiFixture : IAsyncLifetime
{
    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "qwen-ui-tests-" + Guid.NewGuid().ToString("N"));

    public ServerHost Host { get; private set; } = null!;

    public ChromeDriver Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var model = new TestChatClient { Stream = BrowserUiTests.Script };
        Host = await ServerHost.StartAsync(
            services =>
            {
                services.AddQwenServedModel("m", model);
                services.AddQwenStandardAgents(["code_interpreter", "retrieval"]);
            },
            o => o.WorkDirectory = _workDirectory,
            app =>
            {
                app.MapQwenOpenAIApi();
                app.MapQwenAgentApi();
                app.MapQwenUi();
            });
        Browser = Tests.Browser.Start();
    }

    public async Task DisposeAsync()
    {
        Browser.Quit();
        Browser.Dispose();
        await Host.DisposeAsync();
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Qwen.Core;

// Usage: dotnet run -c Release --project bench/ChatTemplateBench [-- MODEL_DIR [SECONDS_PER_CASE]]
// MODEL_DIR defaults to the Qwen3 tokenizer_config.json fixture of the tests.
var modelDirectory = args.Length > 0 ? args[0] : DefaultModelDirectory();
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2.0;
var source = ChatTemplate.FromDirectory(modelDirectory).Source;
var template = ChatTemplate.FromSource(source);

var shortChat = new JsonArray { Message("user", "Hello!") };
var (agentChat, agentMessages, tools) = AgentConversation(turns: 20);
var document = new JsonArray { Message("system", "Answer from the document."), Message("user", Document(200_000) + "\n\nWhat is the document about?") };
var generate = new ChatTemplateOptions { AddGenerationPrompt = true };
var withTools = new ChatTemplateOptions { AddGenerationPrompt = true, ToolsJson = tools };

Console.WriteLine($"model: {modelDirectory}; {Environment.ProcessorCount} cores; .NET {Environment.Version}; {seconds:0.#} s per case");
Console.WriteLine($"{"case",-42} {"mean",12} {"ops/s",10} {"alloc/op",12} {"output",10}");
Measure("parse the Qwen3 template", () => ChatTemplate.FromSource(source).Source);
Measure("render 1 message", () => template.RenderJson(shortChat, generate));
Measure($"render {agentChat.Count} messages + 2 tools (JSON)", () => template.RenderJson(agentChat, withTools));
Measure($"render {agentMessages.Count} ChatMessages + 2 tools", () => template.Render(agentMessages, withTools));
Measure("render a 200 KB document", () => template.RenderJson(document, generate));

void Measure(string name, Func<string> run)
{
    var output = run();
    for (var i = 0; i < 20; i++)
    {
        run();
    }

    long iterations = 0;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        run();
        iterations++;
    }

    clock.Stop();
    var perOp = clock.Elapsed.TotalMilliseconds * 1000 / iterations;
    var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)iterations;
    Console.WriteLine($"{name,-42} {perOp,9:0.0} µs {iterations / clock.Elapsed.TotalSeconds,10:0} {bytes / 1024,9:0.0} KB {output.Length,10}");
}

static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

static (JsonArray Json, List<ChatMessage> Messages, JsonArray Tools) AgentConversation(int turns)
{
    var json = new JsonArray { Message("system", "You are a helpful assistant with tools.") };
    var messages = new List<ChatMessage> { new(ChatRole.System, "You are a helpful assistant with tools.") };
    for (var i = 0; i < turns; i++)
    {
        var question = $"What is the weather in city number {i}, and what does the web say about it?";
        json.Add(Message("user", question));
        messages.Add(new(ChatRole.User, question));
        var arguments = new JsonObject { ["city"] = $"City {i}", ["unit"] = "c" };
        json.Add(new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = "<think>\nI should look it up.\n</think>\n\nLet me check.",
            ["tool_calls"] = new JsonArray { new JsonObject { ["type"] = "function", ["id"] = $"call_{i}", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = arguments } } },
        });
        messages.Add(new(ChatRole.Assistant, [new TextContent("<think>\nI should look it up.\n</think>\n\nLet me check."), new FunctionCallContent($"call_{i}", "get_weather", new Dictionary<string, object?> { ["city"] = $"City {i}", ["unit"] = "c" })]));
        var result = $"{{\"temp\": {10 + i}, \"sky\": \"clear\"}}";
        json.Add(new JsonObject { ["role"] = "tool", ["content"] = result, ["tool_call_id"] = $"call_{i}" });
        messages.Add(new(ChatRole.Tool, [new FunctionResultContent($"call_{i}", result)]));
    }

    var tools = new JsonArray
    {
        JsonNode.Parse("""{"type": "function", "function": {"name": "get_weather", "description": "Get the weather for a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}}}"""),
        JsonNode.Parse("""{"type": "function", "function": {"name": "web_search", "description": "Search the web.", "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}"""),
    };
    return (json, messages, tools);
}

static string Document(int length)
{
    var builder = new StringBuilder(length);
    var words = new[] { "The", "model", "reads", "a", "long", "document", "about", "weather,", "cities", "and", "tools.", "文档", "中的", "句子。" };
    for (var i = 0; builder.Length < length; i++)
    {
        builder.Append(words[i % words.Length]).Append(i % 17 == 16 ? '\n' : ' ');
    }

    return builder.ToString();
}

static string DefaultModelDirectory()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Qwen.Agents.sln")))
        {
            return Path.Combine(directory.FullName, "tests", "Qwen.Core.Tests", "Fixtures", "tokenizers", "qwen3");
        }
    }

    throw new DirectoryNotFoundException("run from inside the repository or pass the model directory");
}

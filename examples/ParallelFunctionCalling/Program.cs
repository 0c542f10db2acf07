// Function calling with parallel calls: the model asks for several cities' weather in one response; the FnCallAgent runs the
// calls at the same time (up to MaxConcurrentToolCalls) and appends the results in call order, each with its call id.
using System.ComponentModel;
using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Examples;

if (ExampleModel.FromArgs(args, "ParallelFunctionCalling", "a FnCallAgent whose tool calls of one response run concurrently.") is not { } model)
{
    return;
}

var agent = new FnCallAgent(model, new FnCallAgentOptions
{
    Tools = [AIFunctionFactory.Create(GetCurrentWeather, "get_current_weather")],
    MaxConcurrentToolCalls = 4,
    ChatOptions = new ChatOptions { AllowMultipleToolCalls = true },
});

var question = args.SkipWhile(a => a != "--prompt").Skip(1).FirstOrDefault() ?? "What's the weather like in San Francisco, Tokyo, and Paris?";
var updates = await ExampleOutput.PrintAsync(agent.RunStreamingAsync(question));
var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Count();
Console.WriteLine($"({calls} tool calls)");

[Description("Gets the current weather in a given location.")]
static async Task<string> GetCurrentWeather([Description("The city, e.g. San Francisco.")] string location)
{
    await Task.Delay(200); // a slow service: concurrent calls take 200 ms together, not 200 ms each
    return location.ToUpperInvariant() switch
    {
        var l when l.Contains("TOKYO", StringComparison.Ordinal) => """{"location": "Tokyo", "temperature": "10", "unit": "celsius"}""",
        var l when l.Contains("SAN FRANCISCO", StringComparison.Ordinal) => """{"location": "San Francisco", "temperature": "72", "unit": "fahrenheit"}""",
        var l when l.Contains("PARIS", StringComparison.Ordinal) => """{"location": "Paris", "temperature": "22", "unit": "celsius"}""",
        _ => $$"""{"location": "{{location}}", "temperature": "unknown"}""",
    };
}

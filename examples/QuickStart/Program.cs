// The README's agents quick start, exactly: a FnCallAgent with a C# tool, streaming, and a session saved and resumed.
using System.ComponentModel;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Examples;

if (ExampleModel.FromArgs(args, "QuickStart", "a FnCallAgent with a C# tool, streaming, and a session saved and resumed.") is not { } model)
{
    return;
}

// README:begin
var agent = new FnCallAgent(model, new FnCallAgentOptions
{
    Name = "weather-bot",
    Instructions = "You answer questions about the weather.",
    Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")],
});

// A session keeps the conversation; it serializes, so a conversation can be saved and resumed.
AgentSession session = await agent.CreateSessionAsync();
await foreach (var update in agent.RunStreamingAsync("What's the weather in Paris?", session))
{
    foreach (var content in update.Contents)
    {
        Console.Write(content switch
        {
            TextContent text => text.Text,                                        // answer deltas
            FunctionCallContent call => $"\n[calling {call.Name} {call.CallId}]\n", // as soon as the call is complete
            FunctionResultContent result => $"[result: {result.Result}]\n",      // as soon as the tool ends
            _ => "",
        });
    }
}

JsonElement saved = await agent.SerializeSessionAsync(session);
AgentSession resumed = await agent.DeserializeSessionAsync(saved);
AgentResponse response = await agent.RunAsync("And in Rome?", resumed);
Console.WriteLine(response.Text);

[Description("Gets the current weather of a city.")]
static string GetWeather([Description("The city, e.g. Paris.")] string city) =>
    city.Equals("Paris", StringComparison.OrdinalIgnoreCase) ? "Sunny, 21 °C" : "Cloudy, 15 °C";
// README:end

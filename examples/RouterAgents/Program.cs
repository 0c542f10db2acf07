// A router over two agents, as Qwen-Agent's multi-agent router: the model reads the agents' descriptions and either answers
// itself or hands the conversation to one of them; the chosen agent's answer streams under its name.
using System.ComponentModel;
using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Examples;

if (ExampleModel.FromArgs(args, "RouterAgents", "a Router choosing between a calculator agent and a poet agent.") is not { } model)
{
    return;
}

var calculator = new FnCallAgent(model, new FnCallAgentOptions
{
    Name = "calculator",
    Description = "Does arithmetic exactly with its add and multiply tools.",
    Tools = [AIFunctionFactory.Create(Add, "add"), AIFunctionFactory.Create(Multiply, "multiply")],
});
var poet = new FnCallAgent(model, new FnCallAgentOptions
{
    Name = "poet",
    Description = "Writes short poems.",
    Instructions = "You write short, vivid poems.",
});
var router = new Router(model, [calculator, poet]);

var questions = args.SkipWhile(a => a != "--prompt").Skip(1).Take(1).ToArray() is { Length: 1 } given
    ? given
    : ["What is 17 times 23, plus 9?", "Write a four-line poem about the sea."];
foreach (var question in questions)
{
    Console.WriteLine($"> {question}");
    var updates = await ExampleOutput.PrintAsync(router.RunStreamingAsync(question));
    Console.WriteLine($"(answered by {updates.Select(u => u.AuthorName).LastOrDefault(n => n is not null) ?? "the router"})");
}

[Description("Adds two numbers.")]
static double Add(double a, double b) => a + b;

[Description("Multiplies two numbers.")]
static double Multiply(double a, double b) => a * b;

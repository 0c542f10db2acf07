// A custom-tool assistant: a C# method as a tool, plus the code interpreter (JavaScript with charts), as Qwen-Agent's
// "assistant with custom tools" example. Charts land in ./charts.
using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Qwen.Agents;
using Qwen.Examples;
using Qwen.Tools;

if (ExampleModel.FromArgs(args, "CustomToolAssistant", "an Assistant with a C# method as a tool and the code interpreter.") is not { } model)
{
    return;
}

var work = Directory.CreateDirectory(Path.Combine(Environment.CurrentDirectory, "charts")).FullName;
await using var services = new ServiceCollection()
    .AddQwenCodeInterpreter(options => options.WorkDirectory = work)
    .BuildServiceProvider();

using var assistant = new Assistant(model, new AssistantOptions
{
    Instructions = "You are a helpful assistant. Use loan_payment for loan questions and the code interpreter for charts.",
    Tools = [AIFunctionFactory.Create(LoanPayment, "loan_payment"), services.GetRequiredService<CodeInterpreterTool>()],
});

var question = args.SkipWhile(a => a != "--prompt").Skip(1).FirstOrDefault()
    ?? "What is the monthly payment of a 200000 loan at 4.5% over 25 years? Then plot the remaining balance per year.";
await ExampleOutput.PrintAsync(assistant.RunStreamingAsync(question));

[Description("Computes the fixed monthly payment of an amortised loan.")]
static double LoanPayment([Description("The amount borrowed.")] double principal, [Description("The yearly interest rate in percent, e.g. 4.5.")] double yearlyRatePercent, [Description("The term in years.")] int years)
{
    var monthlyRate = yearlyRatePercent / 100 / 12;
    var months = years * 12;
    return monthlyRate == 0 ? principal / months : Math.Round(principal * monthlyRate / (1 - Math.Pow(1 + monthlyRate, -months)), 2);
}

// ReAct data analysis, as Qwen-Agent's ReAct example: the model reasons in Thought/Action/Observation text (no native tool
// calling needed) and runs JavaScript in the code interpreter over stock_prices.csv, drawing a chart into ./analysis.
using Microsoft.Extensions.DependencyInjection;
using Qwen.Agents;
using Qwen.Examples;
using Qwen.Tools;

if (ExampleModel.FromArgs(args, "ReActDataAnalysis", "a ReActChat agent analysing stock_prices.csv with the code interpreter, with a chart.") is not { } model)
{
    return;
}

var work = Directory.CreateDirectory(Path.Combine(Environment.CurrentDirectory, "analysis")).FullName;
File.Copy(Path.Combine(AppContext.BaseDirectory, "stock_prices.csv"), Path.Combine(work, "stock_prices.csv"), overwrite: true);
await using var services = new ServiceCollection()
    .AddQwenCodeInterpreter(options =>
    {
        options.WorkDirectory = work;
        options.IsolateSessionDirectories = false;
    })
    .BuildServiceProvider();

var agent = new ReActChat(model, new FnCallAgentOptions
{
    Tools = [services.GetRequiredService<CodeInterpreterTool>()],
    MaxModelCalls = 8,
});

var question = args.SkipWhile(a => a != "--prompt").Skip(1).FirstOrDefault()
    ?? "stock_prices.csv holds daily prices (Date, Open, High, Low, Close, Volume). Read it with readCsv, report the highest close and draw the closing price over time with plot.line.";
await ExampleOutput.PrintAsync(agent.RunStreamingAsync(question));
foreach (var chart in Directory.GetFiles(work, "*.png"))
{
    Console.WriteLine($"chart: {chart}");
}

using System.CommandLine;
using Qwen.Cli;

var root = new RootCommand("qwen: Qwen.Agents on the command line. Agents, tools and an embedded Qwen runtime.");
foreach (var command in QwenCommands.All())
{
    root.Subcommands.Add(command);
}

return await CliHost.RunAsync(root, args).ConfigureAwait(false);

using System.CommandLine;
using Qwen.Cli;

var root = new RootCommand("qwen: Qwen.Agents on the command line. Agents, tools and an embedded Qwen runtime.");
foreach (var command in QwenCommands.All())
{
    root.Subcommands.Add(command);
}

// With subcommands present, plain `qwen` shows the help instead of failing with "Required command was not provided".
root.SetAction(parseResult => new System.CommandLine.Help.HelpAction().Invoke(parseResult));

return await CliHost.RunAsync(root, args).ConfigureAwait(false);

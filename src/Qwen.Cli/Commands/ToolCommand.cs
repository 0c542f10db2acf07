using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Qwen.Tools;

namespace Qwen.Cli;

/// <summary><c>qwen tool NAME --args JSON</c>: runs one registered tool once and prints its result.</summary>
internal static class ToolCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The tool: code_interpreter, doc_parser, retrieval, storage, web_extractor." };
        var arguments = new Option<string>("--args") { Description = "The tool's arguments as a JSON object.", DefaultValueFactory = _ => "{}" };
        var workDirectory = new Option<string?>("--workdir") { Description = "The directory the tool is confined to (default: the current directory)." };
        var allowPrivate = new Option<bool>("--allow-private-network") { Description = "Let web tools fetch loopback and private addresses." };

        var command = new Command("tool", "Run a tool once with JSON arguments and print its result.");
        command.Arguments.Add(name);
        command.Options.Add(arguments);
        command.Options.Add(workDirectory);
        command.Options.Add(allowPrivate);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var root = parseResult.GetValue(workDirectory) ?? Environment.CurrentDirectory;
            var services = new ServiceCollection()
                .AddQwenTools(options =>
                {
                    options.WorkDirectory = root;
                    options.Web.AllowPrivateNetworks = parseResult.GetValue(allowPrivate);
                })
                .AddQwenCodeInterpreter(options =>
                {
                    // One call, one session, files straight in the work directory; no spare worker for a later call.
                    options.WorkDirectory = root;
                    options.IsolateSessionDirectories = false;
                    options.PrewarmWorker = false;
                });
            await using var provider = services.BuildServiceProvider();
            var registry = provider.GetRequiredService<ToolRegistry>();
            var result = await registry.InvokeAsync(parseResult.GetValue(name)!, parseResult.GetValue(arguments), cancellationToken).ConfigureAwait(false);
            if (result.IsError)
            {
                throw new InvalidOperationException(result.Text.StartsWith("Error: ", StringComparison.Ordinal) ? result.Text["Error: ".Length..] : result.Text);
            }

            await Console.Out.WriteLineAsync(result.Text).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}

using System.CommandLine;

namespace Qwen.Cli;

/// <summary>Runs a parsed command line with the CLI's error conventions: one clear line on stderr and a non-zero exit code.</summary>
internal static class CliHost
{
    /// <summary>Exit code for a command line that does not parse.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a command that failed.</summary>
    public const int Failure = 1;

    /// <summary>Exit code after Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // An unknown word also makes the root report "Required command was not provided"; the line naming the word is the useful one.
            var errors = parsed.Errors.Where(e => parsed.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal))).ToList();
            foreach (var error in errors.Count > 0 ? errors : parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"qwen: {error.Message}").ConfigureAwait(false);
            }

            return UsageError;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("qwen: cancelled").ConfigureAwait(false);
            return Cancelled;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("QWEN_DEBUG") != "1")
        {
            // Users get the reason on one line; QWEN_DEBUG=1 lets the runtime print the whole exception instead.
            await Console.Error.WriteLineAsync($"qwen: {OneLine(e)}").ConfigureAwait(false);
            return Failure;
        }
    }

    /// <summary>Flattens an exception's message (and its inner one's, when it adds something) to one line.</summary>
    public static string OneLine(Exception e)
    {
        var message = e.Message;
        if (e.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += $" ({inner.Message})";
        }

        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

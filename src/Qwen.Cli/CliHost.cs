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
            // One line however many errors: an unknown subcommand also reports that no command was given.
            var messages = string.Join(' ', parsed.Errors.Select(e => e.Message));
            await Console.Error.WriteLineAsync($"qwen: {messages}").ConfigureAwait(false);
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
            await Console.Error.WriteLineAsync($"qwen: {InFlagTerms(OneLine(e))}").ConfigureAwait(false);
            return Failure;
        }
    }

    /// <summary>Library options the CLI sets from its flags: library messages name the option property, the CLI user knows the flag.</summary>
    private static readonly (string Property, string Flag)[] OptionFlags =
    [
        ("QwenModelOptions.Device", "--device"),
        ("QwenModelOptions.DType", "--dtype"),
        ("QwenModelOptions.Threads", "--threads"),
        ("TinyModelOptions.TokenizerDirectory", "--tokenizer"),
    ];

    /// <summary>Rewrites a library message that names an option property the CLI sets from a flag so that it names the flag.</summary>
    public static string InFlagTerms(string message)
    {
        foreach (var (property, flag) in OptionFlags)
        {
            message = message.Replace(property, flag, StringComparison.Ordinal);
        }

        return message;
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

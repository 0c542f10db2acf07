using Qwen.Runtime;
using Spectre.Console;

namespace Qwen.Cli;

/// <summary>The one place the CLI turns <c>--model</c> (a folder or a Hugging Face model name) into a checkpoint folder, downloading with a progress bar on stderr.</summary>
/// <remarks>The Hub settings come from the environment, as for Python tools: HF_ENDPOINT, HF_HUB_CACHE, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE.</remarks>
internal static class CliModels
{
    /// <summary>The model <c>qwen chat</c> uses when given neither <c>--model</c> nor <c>--endpoint</c>: small enough for a CPU, and good at tool calls.</summary>
    public const string DefaultModel = "Qwen/Qwen3-0.6B";

    /// <summary>Describes a <c>--model</c> option that takes a folder (holding <paramref name="holding"/>) or a model name.</summary>
    public static string Describe(string holding) =>
        $"Checkpoint folder ({holding}) or Hugging Face model name such as {DefaultModel} (optionally @REVISION), downloaded into the Hugging Face cache once.";

    /// <summary>Resolves a folder or a model name to a checkpoint folder, downloading the model when it is not in the cache.</summary>
    /// <returns>The folder; a value that is neither a folder nor a name comes back unchanged, for the command to report the missing folder in its own words.</returns>
    /// <exception cref="HubException">The model could not be found, fetched or verified.</exception>
    public static async Task<string> ResolveAsync(string model, CancellationToken cancellationToken)
    {
        if (Directory.Exists(model) || !ModelReference.TryParse(model, out var reference))
        {
            return model;
        }

        using var hub = new HubClient();
        return hub.FindCached(reference)
            ?? await WithProgressAsync(progress => hub.DownloadAsync(reference, progress, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Like <see cref="ResolveAsync"/>, passing null through (an optional <c>--model</c>).</summary>
    public static async Task<string?> ResolveOptionalAsync(string? model, CancellationToken cancellationToken) =>
        model is null ? null : await ResolveAsync(model, cancellationToken).ConfigureAwait(false);

    /// <summary>The folder for <c>qwen chat</c>: none with <c>--endpoint</c>, <see cref="DefaultModel"/> (said on stderr) when neither is given.</summary>
    public static async Task<string?> ResolveForChatAsync(string? model, string? endpoint, CancellationToken cancellationToken)
    {
        if (endpoint is not null)
        {
            return model; // the chat command rejects --model with --endpoint
        }

        if (model is null)
        {
            await Console.Error.WriteLineAsync($"qwen: no --model given, so using {DefaultModel} (downloaded once into the Hugging Face cache); --model picks another.").ConfigureAwait(false);
            model = DefaultModel;
        }

        return await ResolveAsync(model, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a download with a progress bar (bytes, rate, ETA) on stderr when it is a terminal, else one line saying what is fetched.</summary>
    public static async Task<T> WithProgressAsync<T>(Func<IProgress<DownloadProgress>, Task<T>> download)
    {
        if (Console.IsErrorRedirected)
        {
            var announced = false;
            return await download(new InlineProgress(p =>
            {
                if (!announced && p.File is not null)
                {
                    announced = true;
                    Console.Error.WriteLine($"qwen: downloading {p.Model} ({p.FileCount} files, {FormatBytes(p.TotalBytes)})");
                }
            })).ConfigureAwait(false);
        }

        // The bar goes to stderr so stdout carries only the command's output.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask? task = null;
                return await download(new InlineProgress(p =>
                {
                    task ??= context.AddTask(Markup.Escape(p.Model), maxValue: Math.Max(1, p.TotalBytes));
                    task.MaxValue = Math.Max(1, p.TotalBytes);
                    task.Description = Markup.Escape(p.File is null ? p.Model : $"{p.Model} {p.File}");
                    task.Value = p.BytesDownloaded;
                })).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>A size as the Hub's pages show it, in decimal units: 1.5 GB, 11.4 MB.</summary>
    public static string FormatBytes(long bytes)
    {
        if (bytes < 1000)
        {
            return $"{bytes} B";
        }

        var value = (double)bytes;
        var unit = -1;
        while (value >= 1000 && unit < 3)
        {
            value /= 1000;
            unit++;
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:0.0} {"kMGT"[unit]}B");
    }

    /// <summary>Reports on the downloading thread (Progress&lt;T&gt; would post to the thread pool, after the bar has closed).</summary>
    private sealed class InlineProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}

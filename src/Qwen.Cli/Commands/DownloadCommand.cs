using System.CommandLine;
using Qwen.Runtime;

namespace Qwen.Cli;

/// <summary><c>qwen download</c>: fetches a model's checkpoint files into the Hugging Face cache without running it and prints the snapshot folder.</summary>
internal static class DownloadCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = $"Hugging Face model name, such as {CliModels.DefaultModel} (optionally @REVISION)." };
        var revision = new Option<string?>("--revision") { Description = "Branch, tag or commit (default: main)." };
        var command = new Command("download", "Download a model from the Hugging Face Hub into the standard cache (HF_HUB_CACHE) and print its snapshot folder.");
        command.Arguments.Add(model);
        command.Options.Add(revision);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var reference = Reference(parseResult.GetValue(model)!, parseResult.GetValue(revision));
            using var hub = new HubClient();
            var snapshot = await CliModels.WithProgressAsync(progress => hub.DownloadAsync(reference, progress, cancellationToken)).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(snapshot).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static ModelReference Reference(string model, string? revision)
    {
        if (!ModelReference.TryParse(model, out var reference))
        {
            throw new ArgumentException($"'{model}' is not a Hugging Face model name such as {CliModels.DefaultModel}.");
        }

        if (revision is null)
        {
            return reference;
        }

        if (model.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Give the revision either as {reference.RepoId}@REVISION or with --revision, not both.");
        }

        return ModelReference.TryParse($"{reference.RepoId}@{revision}", out var withRevision)
            ? withRevision
            : throw new ArgumentException($"--revision '{revision}' is not a branch, tag or commit name.");
    }
}

using Microsoft.Extensions.Options;

namespace Qwen.Runtime;

/// <summary>Checks <see cref="QwenHostingOptions"/> once, at host start, naming each bad field.</summary>
internal sealed class QwenHostingOptionsValidator : IValidateOptions<QwenHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, QwenHostingOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            failures.Add("QwenHostingOptions.ModelPath is required: the checkpoint directory holding config.json, *.safetensors and tokenizer.json, or a model name such as Qwen/Qwen3-0.6B.");
        }
        else if (Directory.Exists(options.ModelPath) ? !File.Exists(Path.Combine(options.ModelPath, "config.json")) : !ModelReference.TryParse(options.ModelPath, out _))
        {
            failures.Add($"QwenHostingOptions.ModelPath '{options.ModelPath}' is neither a checkpoint directory (with config.json) nor a Hugging Face model name such as Qwen/Qwen3-0.6B.");
        }

        if (options.Hub is null)
        {
            failures.Add("QwenHostingOptions.Hub must not be null.");
        }
        else
        {
            try
            {
                _ = HubSettings.From(options.Hub);
            }
            catch (ArgumentException e)
            {
                failures.Add($"QwenHostingOptions.Hub: {e.Message}");
            }
        }

        var device = options.Device?.Trim().ToLowerInvariant() ?? string.Empty;
        if (device is not ("auto" or "cpu" or "cuda") && !(device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device.AsSpan(5), out var index) && index >= 0))
        {
            failures.Add($"QwenHostingOptions.Device '{options.Device}' is not one of auto, cpu, cuda, cuda:N.");
        }

        if (options.Threads is < 1)
        {
            failures.Add($"QwenHostingOptions.Threads must be at least 1, found {options.Threads}.");
        }

        if (options.Chat is null)
        {
            failures.Add("QwenHostingOptions.Chat must not be null.");
        }
        else if (options.Chat.DefaultMaxOutputTokens < 1)
        {
            failures.Add($"QwenHostingOptions.Chat.DefaultMaxOutputTokens must be at least 1, found {options.Chat.DefaultMaxOutputTokens}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

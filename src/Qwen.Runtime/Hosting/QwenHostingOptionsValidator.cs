using Microsoft.Extensions.Options;

namespace Qwen.Runtime;

/// <summary>Checks <see cref="QwenHostingOptions"/> once, at host start, naming each bad field (the checks themselves are the options' own).</summary>
internal sealed class QwenHostingOptionsValidator : IValidateOptions<QwenHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, QwenHostingOptions options) =>
        options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}

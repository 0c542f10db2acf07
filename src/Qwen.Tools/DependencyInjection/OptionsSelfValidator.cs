using Microsoft.Extensions.Options;

namespace Qwen.Tools;

/// <summary>Runs an options type's own validation (one that throws <see cref="ArgumentException"/> naming the bad setting) as an <see cref="IValidateOptions{TOptions}"/>, so that <c>ValidateOnStart</c> reports it when the host starts.</summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal sealed class OptionsSelfValidator<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}

using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>Options of a <see cref="FnCallAgent"/>: its tools and the limits of its tool loop.</summary>
public class FnCallAgentOptions : QwenAgentOptions
{
    /// <summary>Gets or sets the tools the model may call (any <see cref="AIFunction"/>: a C# method, a built-in tool, an MCP tool, another agent).</summary>
    /// <value>The default value is an empty list.</value>
    public IList<AITool> Tools { get; set; } = [];

    /// <summary>Gets or sets the most model calls one run makes. When the model still calls tools at the last one, those calls
    /// are answered as not run, and the run ends with a message saying the limit was reached (never silently).</summary>
    /// <value>The default value is 20. Allowed: 1 to 1,000.</value>
    public int MaxModelCalls { get; set; } = 20;

    /// <summary>Gets or sets how many tool calls of one model response run at the same time.</summary>
    /// <value>The default value is 4. Allowed: 1 to 256.</value>
    public int MaxConcurrentToolCalls { get; set; } = 4;

    /// <summary>Gets or sets after how many identical calls in a row (same tool, same arguments) a call is no longer run:
    /// the model gets a message that it is looping instead.</summary>
    /// <value>The default value is 3: the third identical call in a row is not run. Allowed: 2 to 100.</value>
    public int RepeatedCallLimit { get; set; } = 3;

    /// <summary>Gets or sets the longest a tool call may take; then it is abandoned and the model gets an error naming the tool.</summary>
    /// <value>The default value is 5 minutes. Use <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</value>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks the limits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is outside its allowed range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Tools, nameof(Tools));
        Check(MaxModelCalls, 1, 1_000, nameof(MaxModelCalls));
        Check(MaxConcurrentToolCalls, 1, 256, nameof(MaxConcurrentToolCalls));
        Check(RepeatedCallLimit, 2, 100, nameof(RepeatedCallLimit));
        if (ToolTimeout <= TimeSpan.Zero && ToolTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ToolTimeout), ToolTimeout, $"{nameof(FnCallAgentOptions)}.{nameof(ToolTimeout)} must be positive or Timeout.InfiniteTimeSpan.");
        }
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(FnCallAgentOptions)}.{name} must be between {min} and {max}.");
        }
    }
}

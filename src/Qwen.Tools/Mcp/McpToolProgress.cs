namespace Qwen.Tools;

/// <summary>A progress notification of a running MCP tool call: the tool as the model knows it, how far it is and what it says.</summary>
/// <param name="Tool">The exposed tool name (<c>{server}-{tool}</c>).</param>
/// <param name="Progress">How far the call is, in the server's units.</param>
/// <param name="Total">The total in the same units, when the server knows it.</param>
/// <param name="Message">The server's description of the current step, if any.</param>
public sealed record McpToolProgress(string Tool, double Progress, double? Total, string? Message);

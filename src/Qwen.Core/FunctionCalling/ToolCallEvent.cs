using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>A complete function call parsed from model output.</summary>
/// <param name="Call">The call: a unique call id, the function name and its arguments (a JSON object, values as <see cref="System.Text.Json.JsonElement"/>).</param>
/// <param name="RawText">The model's text the call was parsed from, markers included.</param>
public sealed record ToolCallEvent(FunctionCallContent Call, string RawText) : FunctionCallEvent;

namespace Qwen.Server;

/// <summary>An error as the API reports it, in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c> with an HTTP status.</summary>
/// <param name="StatusCode">The HTTP status (400 bad request, 401 no key, 404 unknown model or route, 413 too large, 503 queue full, ...).</param>
/// <param name="Message">What went wrong, naming the field or value.</param>
/// <param name="Type">OpenAI's error type: <c>invalid_request_error</c>, <c>authentication_error</c>, <c>server_error</c>, ...</param>
/// <param name="Param">The request field at fault, or null.</param>
/// <param name="Code">A machine-readable code (<c>model_not_found</c>, <c>context_length_exceeded</c>, <c>queue_full</c>, ...), or null.</param>
public sealed record ApiError(int StatusCode, string Message, string Type = "invalid_request_error", string? Param = null, string? Code = null);

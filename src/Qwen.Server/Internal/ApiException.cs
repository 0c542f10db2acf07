namespace Qwen.Server;

/// <summary>Thrown inside the endpoints to answer with an <see cref="ApiError"/>; the handler turns it into the JSON error response.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(ApiError error)
        : base(error.Message)
    {
        Error = error;
    }

    public ApiException()
        : this(new ApiError(500, "Unknown error.", "server_error"))
    {
    }

    public ApiException(string message)
        : this(new ApiError(400, message))
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new ApiError(400, message);
    }

    /// <summary>Gets the error to report.</summary>
    public ApiError Error { get; }

    /// <summary>A 400 naming the field at fault.</summary>
    public static ApiException BadRequest(string param, string message) => new(new ApiError(400, message, Param: param));
}

namespace Qwen.Core;

/// <summary>The exception thrown when a JSON schema cannot be compiled into a decoding grammar: malformed, or using a keyword constrained decoding cannot honour.</summary>
public sealed class JsonGrammarException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="JsonGrammarException"/> class with a generic message.</summary>
    public JsonGrammarException()
        : this("The JSON schema cannot be compiled into a decoding grammar.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JsonGrammarException"/> class with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public JsonGrammarException(string message)
        : base(message)
    {
        SchemaPath = "#";
        Keyword = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="JsonGrammarException"/> class with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public JsonGrammarException(string message, Exception innerException)
        : base(message, innerException)
    {
        SchemaPath = "#";
        Keyword = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="JsonGrammarException"/> class.</summary>
    /// <param name="schemaPath">The JSON pointer of the offending place in the schema (<c>#/properties/a</c>).</param>
    /// <param name="keyword">The keyword at fault; empty when the fault is not one keyword's.</param>
    /// <param name="reason">What is wrong.</param>
    public JsonGrammarException(string schemaPath, string keyword, string reason)
        : base($"JSON schema {(keyword.Length > 0 ? $"keyword '{keyword}' at " : "at ")}{schemaPath}: {reason}.")
    {
        SchemaPath = schemaPath;
        Keyword = keyword;
    }

    /// <summary>Gets the JSON pointer of the offending place in the schema.</summary>
    public string SchemaPath { get; }

    /// <summary>Gets the keyword at fault; empty when the fault is not one keyword's.</summary>
    public string Keyword { get; }
}

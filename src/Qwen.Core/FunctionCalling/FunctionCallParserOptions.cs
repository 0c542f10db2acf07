using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>Options for the parsers made by <see cref="FunctionCallFormats.CreateParser"/>.</summary>
public sealed class FunctionCallParserOptions
{
    /// <summary>Gets or sets a value indicating whether the output starts inside a reasoning block (the prompt ended with <c>&lt;think&gt;\n</c>, as Qwen3 thinking prompts may).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool StartInReasoning { get; set; }

    /// <summary>Gets or sets the source of call ids, called once per parsed call.</summary>
    /// <value>The default value is <see langword="null"/>: ids are <c>call_</c> followed by 24 random lowercase hex digits.</value>
    public Func<string>? CallIdGenerator { get; set; }

    /// <summary>Gets or sets the tools the model was offered; the XML format types parameter values by their JSON schemas (a string-typed parameter stays text).</summary>
    /// <value>The default value is <see langword="null"/>: values are JSON when they parse as JSON, else text.</value>
    public IReadOnlyList<AIFunctionDeclaration>? Tools { get; set; }
}

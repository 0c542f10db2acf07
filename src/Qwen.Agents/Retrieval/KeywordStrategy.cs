namespace Qwen.Agents;

/// <summary>How <see cref="KeywordRetrievalStrategy"/> turns a question into a BM25 search, as Qwen-Agent's keyword strategies do.</summary>
public enum KeywordStrategy
{
    /// <summary>No model call: the question itself is the search text.</summary>
    None,

    /// <summary>Qwen-Agent's <c>GenKeyword</c>: the model writes keywords in English and Chinese (<c>{"keywords_zh": [...], "keywords_en": [...]}</c>).</summary>
    GenKeyword,

    /// <summary>Qwen-Agent's <c>SplitQuery</c>: the model separates the question's information from its instructions
    /// (<c>{"information": [...], "instruction": [...]}</c>) and the information is the search text.</summary>
    SplitQuery,

    /// <summary>Qwen-Agent's <c>SplitQueryThenGenKeyword</c>: the information of <see cref="SplitQuery"/>, then keywords for it.</summary>
    SplitQueryThenGenKeyword,
}

namespace Qwen.Agents;

/// <summary>
/// The prompt texts of retrieval and document QA, in English and Chinese, as Qwen-Agent writes them (keyword generation,
/// query splitting, the knowledge section, the chunk-reading member and the final answer). They are the contract with the
/// model, so they are kept word for word; only the multi-hop prompt is ours (Qwen-Agent never released Level 3).
/// </summary>
internal static class RetrievalPrompts
{
    /// <summary>Qwen-Agent's answer for "nothing relevant" in a chunk reader's JSON.</summary>
    public const string NoResponse = "<None>";

    public static string KnowledgeTemplate(AgentLanguage language) => language == AgentLanguage.Chinese ? "# 知识库\n\n" : "# Knowledge Base\n\n";

    public static string KnowledgeSnippet(AgentLanguage language, string source, string content) => language == AgentLanguage.Chinese
        ? $"## 来自 {source} 的内容：\n\n```\n{content}\n```"
        : $"## The content from {source}:\n\n```\n{content}\n```";

    /// <summary>Our heading for the sentences chunk reading quoted (Qwen-Agent feeds them to retrieval only; we show them too).</summary>
    public static string EvidenceHeading(AgentLanguage language) => language == AgentLanguage.Chinese
        ? "## 逐段阅读文档时摘录的相关内容："
        : "## Relevant passages quoted while reading every part of the documents:";

    public static string GenKeyword(AgentLanguage language, string question) => language == AgentLanguage.Chinese
        ? """
          请提取问题中的关键词，需要中英文均有，可以适量补充不在问题中但相关的关键词。关键词尽量切分为动词、名词、或形容词等单独的词，不要长词组（目的是更好的匹配检索到语义相关但表述不同的相关资料）。关键词以JSON的格式给出，比如{"keywords_zh": ["关键词1", "关键词2"], "keywords_en": ["keyword 1", "keyword 2"]}

          Question: 这篇文章的作者是谁？
          Keywords: {"keywords_zh": ["作者"], "keywords_en": ["author"]}
          Observation: ...

          Question: 解释下图一
          Keywords: {"keywords_zh": ["图一", "图 1"], "keywords_en": ["Figure 1"]}
          Observation: ...

          Question: 核心公式
          Keywords: {"keywords_zh": ["核心公式", "公式"], "keywords_en": ["core formula", "formula", "equation"]}
          Observation: ...

          Question: 
          """ + question + "\nKeywords:\n"
        : """
          Please extract keywords from the question, both in Chinese and English, and supplement them appropriately with relevant keywords that are not in the question.
          Try to divide keywords into verb, noun, or adjective types and avoid long phrases (The aim is to better match and retrieve semantically related but differently phrased relevant information).
          Keywords are provided in JSON format, such as {"keywords_zh": ["关键词1", "关键词2"], "keywords_en": ["keyword 1", "keyword 2"]}

          Question: Who are the authors of this article?
          Keywords: {"keywords_zh": ["作者"], "keywords_en": ["author"]}
          Observation: ...

          Question: Explain Figure 1
          Keywords: {"keywords_zh": ["图一", "图 1"], "keywords_en": ["Figure 1"]}
          Observation: ...

          Question: core formula
          Keywords: {"keywords_zh": ["核心公式", "公式"], "keywords_en": ["core formula", "formula", "equation"]}
          Observation: ...

          Question: 
          """ + question + "\nKeywords:\n";

    /// <summary>The keywords of the few-shot examples of both languages: a reply made only of these, none of them in the
    /// question, is the model echoing the prompt (Qwen-Agent #362).</summary>
    public static readonly string[] GenKeywordExamples =
        ["作者", "author", "图一", "图 1", "Figure 1", "核心公式", "公式", "core formula", "formula", "equation", "关键词1", "关键词2", "keyword 1", "keyword 2"];

    public static string SplitQuery(AgentLanguage language, string question) => language == AgentLanguage.Chinese
        ? """
          请提取问题中的可以帮助检索的重点信息片段和任务描述，以JSON的格式给出：{"information": ["重点信息片段1", "重点信息片段2"], "instruction": ["任务描述片段1", "任务描述片段2"]}。
          如果是提问，则默认任务描述为：回答问题

          Question: MMDET.UTILS是什么
          Result: {"information": ["MMDET.UTILS是什么"], "instruction": ["回答问题"]}
          Observation: ...

          Question: 总结
          Result: {"information": [], "instruction": ["总结"]}
          Observation: ...

          Question: 要非常详细描述2.1 DATA，2.2 TOKENIZATION，2.3 ARCHITECTURE。另外你能把这篇论文的方法融合进去吗
          Result: {"information": ["2.1 DATA，2.2 TOKENIZATION，2.3 ARCHITECTURE"], "instruction": ["要非常详细描述", "另外你能把这篇论文的方法融合进去吗"]}
          Observation: ...

          Question: 帮我统计不同会员等级的业绩
          Result: {"information": ["会员等级的业绩"], "instruction": ["帮我统计"]}
          Observation: ...

          Question: 
          """ + question + "\nResult:\n"
        : """
          Please extract the key information fragments that can help retrieval and the task description in the question, and give them in JSON format:
          {"information": ["information fragment 1", "information fragment 2"], "instruction": ["instruction fragment 1", "instruction fragment 2"]}.
          If it is a question, the default task description is: Answer the question

          Question: What is MMDET.UTILS?
          Result: {"information": ["What is MMDET.UTILS"], "instruction": ["Answer the question"]}
          Observation: ...

          Question: Summarize
          Result: {"information": [], "instruction": ["Summarize"]}
          Observation: ...

          Question: Describe in great detail 2.1 DATA, 2.2 TOKENIZATION, 2.3 ARCHITECTURE. Also, can you incorporate the methods from this paper?
          Result: {"information": ["2.1 DATA, 2.2 TOKENIZATION, 2.3 ARCHITECTURE"], "instruction": ["Describe in great detail", "Also, can you incorporate the methods from this paper?"]}
          Observation: ...

          Question: Help me count the performance of membership levels.
          Result: {"information": ["the performance of membership levels"], "instruction": ["Help me count"]}
          Observation: ...

          Question: 
          """ + question + "\nResult:\n";

    /// <summary>The information fragments of the split-query examples (echo detection).</summary>
    public static readonly string[] SplitQueryExamples =
        ["MMDET.UTILS是什么", "2.1 DATA，2.2 TOKENIZATION，2.3 ARCHITECTURE", "会员等级的业绩", "重点信息片段1", "重点信息片段2",
         "What is MMDET.UTILS", "2.1 DATA, 2.2 TOKENIZATION, 2.3 ARCHITECTURE", "the performance of membership levels", "information fragment 1", "information fragment 2"];

    /// <summary>Qwen-Agent stops query splitting here, as the instructions are not used.</summary>
    public const string SplitQueryStop = "\"], \"instruction\":";

    public const string ObservationStop = "Observation:";

    public static string MemberSystem(AgentLanguage language) => language == AgentLanguage.Chinese
        ? $$"""
          您是一个擅长文档问答的专家，可以根据文档内容回答用户问题。


          # 任务描述：
          请仔细阅读所给的文档片段，并根据其内容回答问题。
          您需要判断文档的内容是否可以回答问题，不要强行回答。如果可以回答，答案必须严格遵循文档内容，即使与事实不符。
          如果答案与事实不符，直接给出答案，不要做解释。


          # 回答规则：
          - 请使用与文档材料相同的语言回答问题。
          - 评估文档是否含有足够信息回答问题。无关时不要回答。
          - 如果问题能被回答，你的回答必须严格遵循文档内容，即使与事实不符。一定不要做多余解释。
          - 如果问题能被回答，直接引用文档的相关信息保证答案准确、完整，并追求简洁。
          - 当文档中只有少量信息与问题相关时，重点关注这部分信息，这种情况下一定回答。


          # 回答格式：
          回答的内容请以JSON的格式给出。


          ## 示例：
          当文档内容无关时：
          {"res": "none", "content": "{{NoResponse}}"}，
          Observation: ...

          当文档内容可回答，且文档为中文时：
          {"res": "ans", "content": "你的答案"}
          Observation: ...

          当文档内容可回答，且文档为英文时：
          {"res": "ans", "content": "[Your Answer]"}
          Observation: ...
          """
        : $$"""
          You are an expert in document-based question answering, capable of answering user questions based on document content.


          # Task Description:
          Please read the provided document excerpt carefully and answer questions based on its content.
          You must assess whether the document content allows for the questions to be answered, without forcing a response.
          If the answer does not align with the facts, provide it directly without explanation.


          # Answering Rules:
          - Reply in the same language as the source material.
          - Evaluate whether the document contains sufficient information to answer the question. Do not respond if it's irrelevant.
          - If the question can be answered, your answer must strictly follow the document content, even if it does not align with the facts.
          - If the question can be answered, directly quote the relevant information from the document to ensure the answer is accurate, complete, and strive for conciseness.
          - When the document contains only minimal information related to the question, focus on this information and be sure to answer.


          # Answer Format:
          Please provide answers in the form of JSON.


          ## Examples
          When the document content is irrelevant:
          {"res": "none", "content": "{{NoResponse}}"},
          Observation: ...

          When the document content can provide an answer:
          {"res": "ans", "content": "[Your Answer]"}
          Observation: ...
          """;

    public static string MemberUser(AgentLanguage language, string document, string question) => language == AgentLanguage.Chinese
        ? $"# 文档：\n{document}\n\n# 问题：\n{question}\n\n请根据回答规则，给出你的回答："
        : $"# Document:\n{document}\n\n# Question:\n{question}\n\nPlease provide your answer according to the answering rules:";

    public static string SummarySystem(AgentLanguage language, string knowledge) => language == AgentLanguage.Chinese
        ? "注意：你的回答必须严格遵循知识库内容，即使与事实不符。\n如果知识库的大部分内容都与问题无关，只有少数几句话与问题直接相关，请重点关注这几句话，这种情况一定要回复。\n\n# 知识库\n\n" + knowledge
        : "Please respond solely based on the content of the provided Knowledge Base.\nNote: Your answer must strictly adhere to the content of the provided Knowledge Base, even if it deviates from the facts.\nIf the materials mainly contains content irrelevant to the question, with only a few sentences directly related, please focus on these sentences and ensure a response.\n\n# Knowledge Base\n\n" + knowledge;

    public static string SummaryUser(AgentLanguage language, string question) => language == AgentLanguage.Chinese
        ? $"# 问题\n{question}\n\n\n# 回答规则\n- 请基于知识库内容回答问题。注意：你的回答必须严格遵循知识库内容，即使与事实不符。\n- 如果知识库的大部分内容都与问题无关，只有少数几句话与问题直接相关，请重点关注这几句话，这种情况一定要回复。\n\n请根据回答规则，针对知识库内容回答问题，回答："
        : $"# Question\n{question}\n\n\n# Answering Guidelines\n- Please respond solely based on the content of the provided Knowledge Base.\n- Note: Your answer must strictly adhere to the content of the provided Knowledge Base, even if it deviates from the facts.\n- If the materials mainly contains content irrelevant to the question, with only a few sentences directly related, please focus on these sentences and ensure a response.\n\nPlease give your answer:";

    /// <summary>Our Level-3 instructions (Qwen-Agent never released its multi-hop agent).</summary>
    public static string MultiHop(AgentLanguage language, string tool) => language == AgentLanguage.Chinese
        ? $"你负责回答关于用户所给文档的问题。你不能直接阅读文档：请调用 `{tool}`，每次提出一个独立完整的子问题；它会逐段阅读全部文档并根据文档作答。需要多个事实才能回答的问题要分步进行：先问第一个事实，再用它的答案去问下一个。当上面的答案足以回答原问题时，给出最终答案并说明依据；如果文档中没有答案，请直接说明。"
        : $"You answer questions about the documents the user provided. You cannot read them yourself: call `{tool}` with one self-contained sub-question at a time; it reads every part of the documents and answers from them. When a question needs several facts, go step by step: ask for the first fact, then use its answer to ask for the next. When the answers above are enough to answer the original question, give the final answer and say what it rests on; if the documents do not hold the answer, say so.";

    public static string MultiHopToolDescription(AgentLanguage language) => language == AgentLanguage.Chinese
        ? "逐段阅读用户的全部文档，回答一个独立完整的子问题。"
        : "Reads every part of the user's documents and answers one self-contained sub-question from them.";
}

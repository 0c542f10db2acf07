using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// A checkpoint's own chat template (the Jinja <c>chat_template</c> it ships), parsed once and rendered to the exact prompt text
/// Hugging Face transformers' <c>apply_chat_template</c> produces. Immutable and safe to use from many threads at once.
/// </summary>
/// <remarks>
/// The template is interpreted, not hard-coded, so a new release with a changed template keeps working. The interpreter covers
/// the Jinja subset chat templates use, with transformers' settings (<c>trim_blocks</c>, <c>lstrip_blocks</c>, an immutable sandbox,
/// <c>tojson</c> as <c>json.dumps</c>, <c>raise_exception</c>, <c>strftime_now</c>). Anything else fails with a <see cref="TemplateException"/>
/// naming the construct and its line and column.
/// </remarks>
public sealed class ChatTemplate
{
    private const string DefaultName = "default";
    private const string ToolUseName = "tool_use";

    private static readonly string[] SpecialTokenNames = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    private static readonly HashSet<string> ReservedVariables = ["messages", "tools", "documents", "add_generation_prompt"];

    private readonly Dictionary<string, JinjaTemplate> _templates;
    private readonly KeyValuePair<string, object?>[] _specialTokens;

    private ChatTemplate(Dictionary<string, string> sources, IEnumerable<KeyValuePair<string, string>> specialTokens)
    {
        _templates = sources.ToDictionary(pair => pair.Key, pair => JinjaTemplate.Parse(pair.Value), StringComparer.Ordinal);
        Source = sources.TryGetValue(DefaultName, out var main) ? main : sources.First().Value;
        _specialTokens = [.. specialTokens.Select(pair => new KeyValuePair<string, object?>(pair.Key, pair.Value))];
        BosToken = _specialTokens.FirstOrDefault(t => t.Key == "bos_token").Value as string;
        EosToken = _specialTokens.FirstOrDefault(t => t.Key == "eos_token").Value as string;
    }

    /// <summary>Gets the Jinja source of the (default) template.</summary>
    public string Source { get; }

    /// <summary>Gets the beginning-of-sequence token the template sees as <c>bos_token</c>, or <see langword="null"/> when the checkpoint has none.</summary>
    public string? BosToken { get; }

    /// <summary>Gets the end-of-sequence token the template sees as <c>eos_token</c>, or <see langword="null"/> when the checkpoint has none.</summary>
    public string? EosToken { get; }

    /// <summary>Loads the chat template a Hugging Face checkpoint ships.</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <returns>The parsed template.</returns>
    /// <remarks>
    /// Reads <c>chat_template.jinja</c> when present (newer checkpoints), otherwise the <c>chat_template</c> field of <c>tokenizer_config.json</c>
    /// (a string, or a list of <c>{"name", "template"}</c> where <c>default</c> is used, and <c>tool_use</c> when tools are given),
    /// otherwise <c>chat_template.json</c>. Special tokens (<c>bos_token</c>, <c>eos_token</c>, ...) come from <c>tokenizer_config.json</c>.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The directory has no chat template.</exception>
    /// <exception cref="InvalidDataException">A configuration file is not valid JSON or a field has the wrong type.</exception>
    /// <exception cref="TemplateException">The template has a syntax error or uses an unsupported construct.</exception>
    public static ChatTemplate FromDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"model directory '{directory}' does not exist");
        }

        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? ReadJsonObject(configPath) : null;
        var specialTokens = new List<KeyValuePair<string, string>>();
        foreach (var name in SpecialTokenNames)
        {
            if (config is not null && TokenText(config[name], configPath, name) is { } token)
            {
                specialTokens.Add(new(name, token));
            }
        }

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var jinjaPath = Path.Combine(directory, "chat_template.jinja");
        var legacyPath = Path.Combine(directory, "chat_template.json");
        if (File.Exists(jinjaPath))
        {
            sources[DefaultName] = File.ReadAllText(jinjaPath);
        }
        else if (config?["chat_template"] is { } field)
        {
            ReadTemplateField(field, configPath, sources);
        }
        else if (File.Exists(legacyPath) && ReadJsonObject(legacyPath)["chat_template"] is { } legacyField)
        {
            ReadTemplateField(legacyField, legacyPath, sources);
        }

        if (sources.Count == 0)
        {
            throw new FileNotFoundException(
                $"no chat template in '{directory}': expected chat_template.jinja or a 'chat_template' field in tokenizer_config.json", configPath);
        }

        return Parse(sources, specialTokens, directory);
    }

    /// <summary>Parses a chat template from its Jinja source.</summary>
    /// <param name="jinjaSource">The template, as in a checkpoint's <c>chat_template</c>.</param>
    /// <param name="bosToken">The value of <c>bos_token</c>; <see langword="null"/> leaves it undefined.</param>
    /// <param name="eosToken">The value of <c>eos_token</c>; <see langword="null"/> leaves it undefined.</param>
    /// <returns>The parsed template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="jinjaSource"/> is null.</exception>
    /// <exception cref="TemplateException">The template has a syntax error or uses an unsupported construct.</exception>
    public static ChatTemplate FromSource(string jinjaSource, string? bosToken = null, string? eosToken = null)
    {
        ArgumentNullException.ThrowIfNull(jinjaSource);
        var specialTokens = new List<KeyValuePair<string, string>>();
        if (bosToken is not null)
        {
            specialTokens.Add(new("bos_token", bosToken));
        }

        if (eosToken is not null)
        {
            specialTokens.Add(new("eos_token", eosToken));
        }

        return new ChatTemplate(new Dictionary<string, string> { [DefaultName] = jinjaSource }, specialTokens);
    }

    /// <summary>Renders a conversation to the prompt text.</summary>
    /// <param name="messages">
    /// The conversation. <see cref="TextContent"/> becomes <c>content</c>; <see cref="TextReasoningContent"/> becomes <c>reasoning_content</c>;
    /// <see cref="FunctionCallContent"/> becomes the assistant's <c>tool_calls</c> (<c>{"type": "function", "function": {"name", "arguments"}, "id"}</c>);
    /// each <see cref="FunctionResultContent"/> becomes its own <c>tool</c> message (strings as they are, other results as JSON).
    /// </param>
    /// <param name="options">Tools, generation prompt, thinking switch, extra variables.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException">A message is null, or an extra variable clashes with one the renderer sets.</exception>
    /// <exception cref="NotSupportedException">A message has content other than text, reasoning, function calls and results (images, files, ...).</exception>
    /// <exception cref="TemplateException">The template failed (including its own <c>raise_exception</c>).</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return RenderValues(ChatTemplateMessages.ToValues(messages), options ?? new ChatTemplateOptions());
    }

    /// <summary>Renders messages given in Hugging Face's JSON shape (as <c>apply_chat_template</c> takes them).</summary>
    /// <param name="messages">The messages: objects with <c>role</c>, <c>content</c>, and optionally <c>tool_calls</c>, <c>reasoning_content</c>, ...</param>
    /// <param name="options">Tools, generation prompt, thinking switch, extra variables.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException">An extra variable clashes with one the renderer sets.</exception>
    /// <exception cref="TemplateException">The template failed (including its own <c>raise_exception</c>).</exception>
    public string RenderJson(JsonArray messages, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return RenderValues(JinjaValues.FromJson(messages), options ?? new ChatTemplateOptions());
    }

    private string RenderValues(object? messages, ChatTemplateOptions options)
    {
        var tools = options.Tools is null && options.ToolsJson is null ? null : ChatTemplateMessages.ToolsToValues(options);

        // The variables transformers passes: special tokens, then messages, tools, documents and add_generation_prompt, then keyword arguments.
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in _specialTokens)
        {
            variables[name] = value;
        }

        variables["messages"] = messages;
        variables["tools"] = tools;
        variables["documents"] = null;
        variables["add_generation_prompt"] = options.AddGenerationPrompt;
        if (options.EnableThinking is { } thinking)
        {
            variables["enable_thinking"] = thinking;
        }

        foreach (var (name, value) in options.ExtraVariables ?? new Dictionary<string, object?>())
        {
            if (ReservedVariables.Contains(name) || (name == "enable_thinking" && options.EnableThinking is not null))
            {
                throw new ArgumentException($"ChatTemplateOptions.ExtraVariables sets '{name}', which the renderer sets itself; use the matching option instead", nameof(options));
            }

            variables[name] = JinjaValues.FromClr(value);
        }

        var template = tools is not null && _templates.TryGetValue(ToolUseName, out var toolUse) ? toolUse
            : _templates.TryGetValue(DefaultName, out var main) ? main
            : throw new TemplateException($"the checkpoint has several named chat templates ({string.Join(", ", _templates.Keys)}) and none is named '{DefaultName}'");
        return template.Render(variables, options.TimeProvider ?? TimeProvider.System);
    }

    private static ChatTemplate Parse(Dictionary<string, string> sources, List<KeyValuePair<string, string>> specialTokens, string directory)
    {
        try
        {
            return new ChatTemplate(sources, specialTokens);
        }
        catch (TemplateException e) when (e.Line is { } line && e.Column is { } column)
        {
            throw new TemplateException($"the chat template of '{directory}' does not parse: {e.Reason}", line, column);
        }
    }

    private static JsonObject ReadJsonObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"'{path}' must hold a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    private static void ReadTemplateField(JsonNode field, string path, Dictionary<string, string> sources)
    {
        switch (field)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                sources[DefaultName] = value.GetValue<string>();
                break;
            case JsonArray list:
                foreach (var entry in list)
                {
                    if (entry is not JsonObject named || named["name"]?.GetValueKind() != JsonValueKind.String
                        || named["template"]?.GetValueKind() != JsonValueKind.String)
                    {
                        throw new InvalidDataException($"'{path}': each entry of 'chat_template' must be {{\"name\": string, \"template\": string}}");
                    }

                    sources[named["name"]!.GetValue<string>()] = named["template"]!.GetValue<string>();
                }

                break;
            default:
                throw new InvalidDataException($"'{path}': 'chat_template' must be a string or a list of {{\"name\", \"template\"}}, not {field.GetValueKind()}");
        }
    }

    /// <summary>A special token in tokenizer_config.json: a string, null, or an AddedToken object with "content".</summary>
    private static string? TokenText(JsonNode? node, string path, string name) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonObject obj when obj["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String => content.GetValue<string>(),
        _ => throw new InvalidDataException($"'{path}': '{name}' must be a string, null or an object with a 'content' string"),
    };
}

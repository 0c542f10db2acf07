using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Core;

namespace Qwen.Cli;

/// <summary>The agent flags of <c>qwen chat</c>, checked together, and the agent they describe.</summary>
internal sealed record ChatSettings(string Agent, string? System, IReadOnlyList<string> Files, string FunctionFormat, string ToolChoice, int? MaxSteps, int Level = 2)
{
    /// <summary>Checks the flags against each other.</summary>
    /// <exception cref="ArgumentException">A flag does not fit the others or is out of range.</exception>
    public void Check()
    {
        if (MaxSteps is < 1 or > 1_000)
        {
            throw new ArgumentException($"--max-steps must be between 1 and 1000, not {MaxSteps}.");
        }

        if (Files.Count > 0 && Agent is not ("assistant" or "docqa"))
        {
            throw new ArgumentException($"--file needs --agent assistant or docqa (the {Agent} agent reads no documents).");
        }

        if (Agent == "docqa" && Files.Count == 0)
        {
            throw new ArgumentException("--agent docqa answers from documents: give them with --file PATH...");
        }

        if (Level is < 1 or > 3)
        {
            throw new ArgumentException($"--level must be 1, 2 or 3, not {Level}.");
        }

        if (Agent == "docqa" && FunctionFormat != "native")
        {
            throw new ArgumentException("--function-format applies to the assistant and fncall agents; the docqa agent calls no tools of yours.");
        }

        if (Agent == "react" && FunctionFormat != "native")
        {
            throw new ArgumentException("--function-format applies to the assistant and fncall agents; the react agent writes its calls as Thought/Action text.");
        }
    }

    /// <summary>Creates the agent over <paramref name="client"/>.</summary>
    public QwenAgent CreateAgent(IChatClient client, IReadOnlyList<AITool> tools, ChatOptions chatOptions)
    {
        chatOptions.ToolMode = ToolChoice switch
        {
            "required" => ChatToolMode.RequireAny,
            "none" => ChatToolMode.None,
            _ => ChatToolMode.Auto,
        };
        if (FunctionFormat != "native")
        {
            var format = FunctionFormat switch
            {
                "qwen" => FunctionCallFormat.Qwen,
                "xml" => FunctionCallFormat.Xml,
                _ => FunctionCallFormat.Hermes,
            };
            client = client.AsBuilder().UsePromptFunctionCalling(new PromptFunctionCallingOptions { Format = format }).Build();
        }

        if (Agent == "docqa")
        {
            if (tools.Count > 0)
            {
                throw new ArgumentException("--tools and --mcp apply to the assistant, fncall and react agents; the docqa agent answers from --file only.");
            }

            var docqa = new DocQAOptions { Name = Agent, Instructions = System, Documents = { Files = [.. Files] }, ChatOptions = chatOptions };
            if (MaxSteps is { } cap)
            {
                docqa.MaxModelCalls = cap;
            }

            return DocQAAgent.Create(client, Level, docqa);
        }

        return Agent switch
        {
            "fncall" => new FnCallAgent(client, Configure(new FnCallAgentOptions(), tools, chatOptions)),
            "react" => new ReActChat(client, Configure(new FnCallAgentOptions(), tools, chatOptions)),
            _ => new Assistant(client, Configure(new AssistantOptions { Documents = { Files = [.. Files] } }, tools, chatOptions)),
        };
    }

    private T Configure<T>(T options, IReadOnlyList<AITool> tools, ChatOptions chatOptions)
        where T : FnCallAgentOptions
    {
        options.Name = Agent;
        options.Instructions = System;
        options.Tools = [.. tools];
        options.ChatOptions = chatOptions;
        if (MaxSteps is { } steps)
        {
            options.MaxModelCalls = steps;
        }

        return options;
    }

    /// <summary>Reads <c>--response-format</c>: <c>json</c>, or the path of a JSON-schema file (named after the file).</summary>
    /// <exception cref="ArgumentException">The file is missing or is not JSON.</exception>
    public static ChatResponseFormat? ReadResponseFormat(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (string.Equals(value, "json", StringComparison.OrdinalIgnoreCase))
        {
            return ChatResponseFormat.Json;
        }

        if (!File.Exists(value))
        {
            throw new ArgumentException($"--response-format: file '{value}' not found (give json or a JSON-schema file).");
        }

        try
        {
            using var schema = global::System.Text.Json.JsonDocument.Parse(File.ReadAllText(value));
            return ChatResponseFormat.ForJsonSchema(schema.RootElement.Clone(), Path.GetFileNameWithoutExtension(value));
        }
        catch (global::System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"--response-format: '{value}' is not a JSON schema: {e.Message}");
        }
    }
}

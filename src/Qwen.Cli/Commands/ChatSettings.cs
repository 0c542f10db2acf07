using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Core;

namespace Qwen.Cli;

/// <summary>The agent flags of <c>qwen chat</c>, checked together, and the agent they describe.</summary>
internal sealed record ChatSettings(string Agent, string? System, IReadOnlyList<string> Files, string FunctionFormat, string ToolChoice, int? MaxSteps)
{
    /// <summary>Checks the flags against each other.</summary>
    /// <exception cref="ArgumentException">A flag does not fit the others or is out of range.</exception>
    public void Check()
    {
        if (MaxSteps is < 1 or > 1_000)
        {
            throw new ArgumentException($"--max-steps must be between 1 and 1000, not {MaxSteps}.");
        }

        if (Files.Count > 0 && Agent != "assistant")
        {
            throw new ArgumentException($"--file needs --agent assistant (the {Agent} agent reads no documents).");
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
}

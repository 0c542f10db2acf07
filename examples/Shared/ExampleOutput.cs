using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Qwen.Examples;

/// <summary>Prints an agent's streamed updates as they arrive: the answer, thoughts in brackets, each tool call and result.</summary>
internal static class ExampleOutput
{
    /// <summary>Prints the updates and returns them.</summary>
    /// <param name="updates">The agent's stream.</param>
    /// <returns>Every update, for <c>ToAgentResponse()</c>.</returns>
    public static async Task<List<AgentResponseUpdate>> PrintAsync(IAsyncEnumerable<AgentResponseUpdate> updates)
    {
        var all = new List<AgentResponseUpdate>();
        await foreach (var update in updates)
        {
            all.Add(update);
            foreach (var content in update.Contents)
            {
                Console.Write(content switch
                {
                    TextContent text => text.Text,
                    TextReasoningContent reasoning => reasoning.Text,
                    FunctionCallContent call => $"\n[call {call.CallId}] {call.Name}({string.Join(", ", (call.Arguments ?? new Dictionary<string, object?>()).Select(a => $"{a.Key}={a.Value}"))})\n",
                    FunctionResultContent result => $"[result {result.CallId}] {Describe(result.Result)}\n",
                    _ => string.Empty,
                });
            }
        }

        Console.WriteLine();
        return all;
    }

    private static string Describe(object? result) => result switch
    {
        IEnumerable<AIContent> contents => string.Join(" ", contents.Select(c => c switch
        {
            TextContent text => text.Text,
            DataContent data => $"[{data.MediaType} {data.Name}]",
            _ => c.ToString(),
        })),
        _ => result?.ToString() ?? string.Empty,
    };
}

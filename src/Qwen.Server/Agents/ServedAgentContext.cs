using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>What an agent or a tool is made for: one run in one session of the agent API.</summary>
public sealed class ServedAgentContext
{
    internal ServedAgentContext(string sessionId, string sessionDirectory, IChatClient chatClient, IReadOnlyList<AITool> tools, IReadOnlyList<string> files)
    {
        SessionId = sessionId;
        SessionDirectory = sessionDirectory;
        ChatClient = chatClient;
        Tools = tools;
        Files = files;
    }

    /// <summary>Gets the session's id (also the code interpreter's session name, so variables persist across runs).</summary>
    public string SessionId { get; }

    /// <summary>Gets the full path of the session's directory: uploads live here, and tools should be confined to it.</summary>
    public string SessionDirectory { get; }

    /// <summary>Gets the model the agent should talk to (the first served model).</summary>
    public IChatClient ChatClient { get; }

    /// <summary>Gets the tools the user chose for this run (empty while the tools themselves are being made).</summary>
    public IReadOnlyList<AITool> Tools { get; }

    /// <summary>Gets the names of the files uploaded to the session, relative to <see cref="SessionDirectory"/>.</summary>
    public IReadOnlyList<string> Files { get; }
}

using System.CommandLine;

namespace Qwen.Cli;

/// <summary>The subcommands of <c>qwen</c>, in the order <c>--help</c> lists them.</summary>
internal static class QwenCommands
{
    /// <summary>Creates every subcommand.</summary>
    public static IEnumerable<Command> All() =>
    [
        TokenizeCommand.Create(),
        TemplateCommand.Create(),
        GenerateCommand.Create(),
        BenchCommand.Create(),
        MakeTinyModelCommand.Create(),
        ParseCommand.Create(),
        SearchCommand.Create(),
        ToolCommand.Create(),
        ChatCommand.Create(),
    ];
}

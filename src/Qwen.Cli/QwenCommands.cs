using System.CommandLine;

namespace Qwen.Cli;

/// <summary>The subcommands of <c>qwen</c>, in the order <c>--help</c> lists them.</summary>
internal static class QwenCommands
{
    /// <summary>Creates every subcommand.</summary>
    public static IEnumerable<Command> All() =>
    [
        ChatCommand.Create(),
        DocQACommand.Create(),
        ServeCommand.Create(),
        DownloadCommand.Create(),
        ModelsCommand.Create(),
        GenerateCommand.Create(),
        TokenizeCommand.Create(),
        TemplateCommand.Create(),
        ParseCommand.Create(),
        SearchCommand.Create(),
        ToolCommand.Create(),
        MakeTinyModelCommand.Create(),
        BenchCommand.Create(),
    ];
}

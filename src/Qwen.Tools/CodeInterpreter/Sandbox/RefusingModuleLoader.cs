using Jint;
using Jint.Runtime.Modules;

namespace Qwen.Tools;

/// <summary>Answers every <c>import()</c> with a TypeError the code can catch: the sandbox has no modules to load and no files to load them from.</summary>
internal sealed class RefusingModuleLoader : IModuleLoader
{
    /// <summary>The engine whose TypeError is thrown; set right after the engine is built.</summary>
    public Engine? Engine { get; set; }

    public ResolvedSpecifier Resolve(string? referencingModuleLocation, ModuleRequest moduleRequest) => throw Refuse(moduleRequest.Specifier);

    public Module LoadModule(Engine engine, ResolvedSpecifier resolved) => throw Refuse(resolved.ModuleRequest.Specifier);

    private Exception Refuse(string specifier)
    {
        var message = $"import('{specifier}'): there are no modules in the code interpreter; use its helpers (readText, readCsv, stats, plot, ...) instead.";
        return Engine is null ? new InvalidOperationException(message) : SandboxErrors.Type(Engine, message);
    }
}

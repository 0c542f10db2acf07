using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Runtime;

namespace Qwen.Examples;

/// <summary>The model every example talks to: a local checkpoint (<c>--model DIR</c>) or an OpenAI-compatible server
/// (<c>--endpoint URL --api-model NAME [--api-key KEY]</c>).</summary>
internal static class ExampleModel
{
    /// <summary>Reads the model arguments; with neither <c>--model</c> nor <c>--endpoint</c>, prints what to pass and returns <see langword="null"/>.</summary>
    /// <param name="args">The program's arguments.</param>
    /// <param name="example">The example's name, for the usage text.</param>
    /// <param name="what">What the example shows, one sentence.</param>
    /// <returns>The model, or <see langword="null"/> when none was given.</returns>
    /// <exception cref="ArgumentException">The arguments are incomplete or contradictory.</exception>
    public static IChatClient? FromArgs(string[] args, string example, string what)
    {
        string? Value(string name)
        {
            var at = Array.IndexOf(args, name);
            return at < 0 ? null : at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"{name} needs a value.");
        }

        var (model, endpoint, apiModel) = (Value("--model"), Value("--endpoint"), Value("--api-model"));
        switch (model, endpoint)
        {
            case (null, null):
                Console.WriteLine($"""
                    {example}: {what}

                    Pass a model, either
                      --model DIR                          a local Qwen checkpoint (config.json, *.safetensors, tokenizer.json), e.g. Qwen3-0.6B
                      --endpoint URL --api-model NAME      an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama), e.g.
                                                           --endpoint http://localhost:8000/v1 --api-model Qwen/Qwen3-8B [--api-key KEY]
                    """);
                return null;
            case ({ }, { }):
                throw new ArgumentException("Give either --model or --endpoint, not both.");
            case (null, { } url):
                if (apiModel is null)
                {
                    throw new ArgumentException("--endpoint needs --api-model NAME (the model's name on the server).");
                }

                return OpenAICompatibleChatClient.Create(new Uri(url), apiModel, Value("--api-key") ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"));
            default:
                return QwenChatClient.Load(model!);
        }
    }
}

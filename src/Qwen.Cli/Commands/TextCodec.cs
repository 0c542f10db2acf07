using Qwen.Runtime;

namespace Qwen.Cli;

/// <summary>How the CLI turns prompt text into ids and ids into text for one model directory.</summary>
/// <param name="Encode">Prompt text to ids.</param>
/// <param name="Decoder">Ids to text, or null when the model directory has no tokenizer.json.</param>
internal sealed record TextCodec(Func<string, int[]> Encode, ITokenDecoder? Decoder);

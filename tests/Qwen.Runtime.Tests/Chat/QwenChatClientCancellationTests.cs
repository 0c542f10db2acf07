using Microsoft.Extensions.AI;

namespace Qwen.Runtime.Tests;

/// <summary>Runs alone: it counts every live tensor of the process (TorchSharp's global count), which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(TensorCountingCollection), DisableParallelization = true)]
public sealed class TensorCountingCollection;

/// <summary>Cancelling a streamed response stops generation at once and frees the request's KV cache.</summary>
[Collection(nameof(TensorCountingCollection))]
public sealed class QwenChatClientCancellationTests(TinyChatModel fixture) : IClassFixture<TinyChatModel>
{
    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_StopsAndFreesTheCache()
    {
        List<ChatMessage> conversation = [new(ChatRole.User, "Tell me a long story.")];
        await fixture.Client.GetResponseAsync(conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 4 });
        var before = TorchSharp.torch.Tensor.TotalCount;
        using var cts = new CancellationTokenSource();
        var received = 0;
        long during = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in fixture.Client.GetStreamingResponseAsync(conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 500 }, cts.Token))
            {
                received++;
                during = TorchSharp.torch.Tensor.TotalCount;
                cts.Cancel();
            }
        });

        Assert.Equal(1, received);
        Assert.True(during >= before + (2 * fixture.Model.Config.NumHiddenLayers), $"the cache's tensors should be live while streaming ({before} before, {during} during)");
        Assert.Equal(before, TorchSharp.torch.Tensor.TotalCount);
    }
}

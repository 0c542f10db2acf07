using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Qwen.Runtime;

/// <summary>Loads the model when the host starts, if <see cref="QwenHostingOptions.LoadAtStart"/> asks for it.</summary>
internal sealed class QwenModelPreloader(HostedQwenChatClient client, IOptions<QwenHostingOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.LoadAtStart)
        {
            await client.GetClientAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen.Server;

namespace Qwen.Server.Tests;

/// <summary>A real Kestrel server on a free loopback port with the Qwen endpoints mapped, stopped on dispose.</summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Gets the server's address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets a client for the server.</summary>
    public HttpClient Http { get; }

    /// <summary>Gets the app's services.</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<ServerHost> StartAsync(Action<IServiceCollection> services, Action<QwenServerOptions>? options = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddQwenServer(o =>
        {
            o.WorkDirectory = Path.Combine(Path.GetTempPath(), "qwen-server-tests-" + Guid.NewGuid().ToString("N"));
            options?.Invoke(o);
        });
        services(builder.Services);
        var app = builder.Build();
        if (map is null)
        {
            app.MapQwenOpenAIApi();
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        var address = app.Urls.First();
        return new ServerHost(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

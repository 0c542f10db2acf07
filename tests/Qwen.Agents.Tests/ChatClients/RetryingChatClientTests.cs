using System.ClientModel;
using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.ChatClients;

public sealed class RetryingChatClientTests
{
    [Fact]
    public async Task GetResponseAsync_429WithRetryAfterThenSuccess_WaitsWhatTheServerAsksAndSucceeds()
    {
        await using var server = await FakeOpenAIServer.StartAsync(r => r.Index == 0 ? FakeOpenAIReply.Error(429, retryAfter: "7") : FakeOpenAIReply.Text("ok"));
        var time = new InstantTimeProvider();
        var logsCollector = new FakeLogCollector();
        using var logs = new LoggerFactory([new FakeLoggerProvider(logsCollector)], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        using var client = new ChatClientBuilder(server.CreateClient()).UseRetries(new RetryingChatClientOptions { MaxRetries = 3, MaxDelay = TimeSpan.FromSeconds(2), TimeProvider = time }, logs).Build();

        var response = await client.GetResponseAsync([new(ChatRole.User, "Q")]);

        Assert.Equal("ok", response.Text);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(7)], time.Delays);
        Assert.Contains(logsCollector.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Message.Contains("HTTP 429", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_5xxThenSuccess_RetriesTheStreamOverHttp()
    {
        await using var server = await FakeOpenAIServer.StartAsync(r => r.Index < 2 ? FakeOpenAIReply.Error(r.Index == 0 ? 503 : 500) : FakeOpenAIReply.Text("streamed ok"));
        var time = new InstantTimeProvider();
        using var client = new RetryingChatClient(server.CreateClient(), new RetryingChatClientOptions { MaxRetries = 2, UseJitter = false, TimeProvider = time });

        var text = new System.Text.StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Q")]))
        {
            text.Append(update.Text);
        }

        Assert.Equal("streamed ok", text.ToString());
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], time.Delays);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task GetResponseAsync_Other4xx_IsNeverRetried(int status)
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.Error(status));
        using var client = new RetryingChatClient(server.CreateClient(), new RetryingChatClientOptions { MaxRetries = 3, TimeProvider = new InstantTimeProvider() });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")]));

        Assert.Equal(status, error.Status);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_AlwaysFailing_StopsAfterMaxRetriesWithCappedExponentialDelays()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Throw(new HttpRequestException("busy", null, HttpStatusCode.ServiceUnavailable)));
        var time = new InstantTimeProvider();
        using var client = new RetryingChatClient(inner, new RetryingChatClientOptions { MaxRetries = 4, UseJitter = false, MaxDelay = TimeSpan.FromSeconds(3), TimeProvider = time });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")]));

        Assert.Equal(5, inner.Requests.Count);
        Assert.Equal([1, 2, 3, 3], time.Delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task GetResponseAsync_Jitter_KeepsDelaysPositiveAndVaried()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Throw(new TimeoutException()));
        var time = new InstantTimeProvider();
        using var client = new RetryingChatClient(inner, new RetryingChatClientOptions { MaxRetries = 6, MaxDelay = TimeSpan.FromSeconds(20), TimeProvider = time });

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")]));

        Assert.Equal(6, time.Delays.Count);
        Assert.All(time.Delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(20)));
        Assert.True(time.Delays.Distinct().Count() > 1);
    }

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public async Task GetResponseAsync_TransientFailure_IsRetried(Exception failure)
    {
        var inner = new ScriptedChatClient(r => r.Index == 0 ? ScriptedReply.Throw(failure) : ScriptedReply.Text("ok"));
        using var client = new RetryingChatClient(inner, new RetryingChatClientOptions { MaxRetries = 1, TimeProvider = new InstantTimeProvider() });

        Assert.Equal("ok", (await client.GetResponseAsync([new(ChatRole.User, "Q")])).Text);
    }

    public static TheoryData<Exception> TransientFailures => new()
    {
        new HttpRequestException("reset"), // no status: the connection failed
        new HttpRequestException("gateway", null, HttpStatusCode.BadGateway),
        new HttpRequestException("slow", null, HttpStatusCode.RequestTimeout),
        new TimeoutException(),
        new IOException("connection reset"),
        new TaskCanceledException("HttpClient.Timeout elapsed"),
    };

    [Theory]
    [MemberData(nameof(PermanentFailures))]
    public async Task GetResponseAsync_PermanentFailure_IsNotRetried(Exception failure)
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Throw(failure));
        using var client = new RetryingChatClient(inner, new RetryingChatClientOptions { MaxRetries = 3, TimeProvider = new InstantTimeProvider() });

        await Assert.ThrowsAsync(failure.GetType(), () => client.GetResponseAsync([new(ChatRole.User, "Q")]));

        Assert.Single(inner.Requests);
    }

    public static TheoryData<Exception> PermanentFailures => new()
    {
        new HttpRequestException("bad", null, HttpStatusCode.BadRequest),
        new ArgumentException("bad message"),
        new NotSupportedException(),
        new InvalidOperationException(),
    };

    [Fact]
    public async Task GetStreamingResponseAsync_FailureAfterFirstUpdate_IsNotRetried()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.TextThenThrow("partial answer", new IOException("dropped")));
        using var client = new RetryingChatClient(inner, new RetryingChatClientOptions { MaxRetries = 3, TimeProvider = new InstantTimeProvider() });

        var text = new System.Text.StringBuilder();
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Q")]))
            {
                text.Append(update.Text);
            }
        });

        Assert.Equal("partial answer", text.ToString());
        Assert.Single(inner.Requests);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DroppedStreamOverHttp_IsNotRetriedOnceTextArrived()
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.DroppedStream("Half an answer", events: 2));
        using var client = new RetryingChatClient(server.CreateClient(), new RetryingChatClientOptions { MaxRetries = 3, TimeProvider = new InstantTimeProvider() });

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Q")]))
            {
            }
        });

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DroppedBeforeAnyContent_IsRetried()
    {
        // Two events get through: the role announcement and the first delta; with 1 only the role (no content) arrives.
        await using var server = await FakeOpenAIServer.StartAsync(r => r.Index == 0 ? FakeOpenAIReply.DroppedStream("lost", events: 1) : FakeOpenAIReply.Text("whole answer"));
        using var client = new RetryingChatClient(server.CreateClient(), new RetryingChatClientOptions { MaxRetries = 1, TimeProvider = new InstantTimeProvider() });

        var text = new System.Text.StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Q")]))
        {
            text.Append(update.Text);
        }

        Assert.Equal("whole answer", text.ToString());
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetResponseAsync_DefaultOptions_DoesNotRetry()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Throw(new HttpRequestException("busy", null, HttpStatusCode.ServiceUnavailable)));
        using var client = new ChatClientBuilder(inner).UseRetries().Build();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")]));

        Assert.Single(inner.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_RetryAfterLongerThanAllowed_FailsAtOnce()
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.Error(429, retryAfter: "3600"));
        var time = new InstantTimeProvider();
        using var client = new RetryingChatClient(server.CreateClient(), new RetryingChatClientOptions { MaxRetries = 3, TimeProvider = time });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")]));

        Assert.Equal(429, error.Status);
        Assert.Single(server.Requests);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_StopsWithoutRetrying()
    {
        using var cancellation = new CancellationTokenSource();
        var inner = new ScriptedChatClient(async (_, ct) =>
        {
            await cancellation.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return ScriptedReply.Text("never");
        });
        using var client = new RetryingChatClient(inner, new RetryingChatClientOptions { MaxRetries = 3, TimeProvider = new InstantTimeProvider() });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")], cancellationToken: cancellation.Token));

        Assert.Single(inner.Requests);
    }

    [Theory]
    [InlineData(-1, 1, 30, "MaxRetries")]
    [InlineData(101, 1, 30, "MaxRetries")]
    [InlineData(1, 0, 30, "BaseDelay")]
    [InlineData(1, 5, 2, "MaxDelay")]
    public void Constructor_OptionOutOfRange_ThrowsNamingIt(int retries, int baseSeconds, int maxSeconds, string field)
    {
        var options = new RetryingChatClientOptions { MaxRetries = retries, BaseDelay = TimeSpan.FromSeconds(baseSeconds), MaxDelay = TimeSpan.FromSeconds(maxSeconds) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RetryingChatClient(new ScriptedChatClient(_ => ScriptedReply.Text("x")), options));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }
}

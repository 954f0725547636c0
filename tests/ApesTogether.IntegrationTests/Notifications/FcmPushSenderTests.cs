using System.Net;
using System.Net.Sockets;
using ApesTogether.Api.Features.Notifications;
using ApesTogether.LoadTest.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ApesTogether.IntegrationTests.Notifications;

/// <summary>The real FCM sender, wired as the service wires it, against <see cref="FakeFcmServer"/>.</summary>
public sealed class FcmPushSenderTests : IAsyncLifetime
{
    FakeFcmServer _fcm = null!;
    readonly List<IHost> _hosts = [];

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _fcm = await FakeFcmServer.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        _hosts.ForEach(h => h.Dispose());
        await _fcm.DisposeAsync();
    }

    /// <summary>A host with the notifications feature only, on the real clock (in-call retry waits are a second at most here).</summary>
    IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddNotifications(worker: false);
        var host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    IPushSender Sender(params (string Key, string? Value)[] extra)
    {
        var settings = _fcm.Settings;
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return Host(settings).Services.GetRequiredService<IPushSender>();
    }

    static PushMessage Message(string token, string title = "@stockguru bought 10 AAPL") =>
        new(token, "android", title, "At $190.12", new Dictionary<string, string> { ["type"] = "trade_alert", ["notification_id"] = "42" });

    static string NewToken() => "fcm-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Pushes_go_out_in_the_v1_shape_with_one_access_token_for_many_sends()
    {
        var sender = Sender();
        var tokens = Enumerable.Range(0, 5).Select(_ => NewToken()).ToList();

        var results = await Task.WhenAll(tokens.Select(t => sender.SendAsync(Message(t), Ct)));
        var later = await sender.SendAsync(Message(tokens[0], "second"), Ct);

        Assert.IsType<FcmPushSender>(sender);
        Assert.All(results, r => Assert.Equal(PushStatus.Accepted, r.Status));
        Assert.All(results, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(PushStatus.Accepted, later.Status);
        Assert.Equal(1, _fcm.TokensIssued);
        Assert.Empty(_fcm.Refusals);
        Assert.Equal(6, _fcm.Delivered.Count);
        var first = _fcm.To(tokens[1]).Single();
        Assert.Equal("@stockguru bought 10 AAPL", first.Title);
        Assert.Equal("At $190.12", first.Body);
        Assert.Equal(new Dictionary<string, string> { ["type"] = "trade_alert", ["notification_id"] = "42" }, first.Data);
        Assert.Equal("high", (string?)first.Message["android"]!["priority"]);
        Assert.Equal("10", (string?)first.Message["apns"]!["headers"]!["apns-priority"]);
    }

    [Fact]
    public async Task An_unregistered_token_and_an_invalid_registration_token_are_reported_gone()
    {
        var sender = Sender();
        var unregistered = NewToken();
        var invalid = NewToken();
        _fcm.Script(unregistered, FakeFcmAnswer.Unregistered);
        _fcm.Script(invalid, FakeFcmAnswer.InvalidToken);

        var gone = await sender.SendAsync(Message(unregistered), Ct);
        var bad = await sender.SendAsync(Message(invalid), Ct);

        Assert.Equal(PushStatus.TokenInvalid, gone.Status);
        Assert.Contains("UNREGISTERED", gone.Error);
        Assert.Equal(1, gone.Attempts);
        Assert.Equal(PushStatus.TokenInvalid, bad.Status);
        Assert.Empty(_fcm.Delivered);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_retried_in_the_call_and_then_delivered()
    {
        var sender = Sender();
        var token = NewToken();
        _fcm.RetryAfter = TimeSpan.FromSeconds(1);
        _fcm.Script(token, FakeFcmAnswer.TooManyRequests);

        var result = await sender.SendAsync(Message(token), Ct);

        Assert.Equal(PushStatus.Accepted, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Equal([token, token], _fcm.SendAttempts);
        Assert.Single(_fcm.To(token));
    }

    [Fact]
    public async Task A_503_that_outlasts_the_attempts_is_transient_with_the_retry_after()
    {
        var sender = Sender();
        var token = NewToken();
        _fcm.RetryAfter = TimeSpan.FromSeconds(1);
        _fcm.Script(token, FakeFcmAnswer.Unavailable, FakeFcmAnswer.Unavailable, FakeFcmAnswer.Unavailable);

        var result = await sender.SendAsync(Message(token), Ct);

        Assert.Equal(PushStatus.Transient, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), result.RetryAfter);
        Assert.Contains("503", result.Error);
        Assert.Equal(3, _fcm.SendAttempts.Count);
        Assert.Empty(_fcm.Delivered);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_in_call_wait_goes_back_to_the_queue_at_once()
    {
        var sender = Sender();
        var token = NewToken();
        _fcm.RetryAfter = TimeSpan.FromSeconds(30);
        _fcm.Script(token, FakeFcmAnswer.TooManyRequests);

        var result = await sender.SendAsync(Message(token), Ct);

        Assert.Equal(PushStatus.Transient, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(30), result.RetryAfter);
    }

    [Fact]
    public async Task A_rejected_access_token_is_refreshed_once_and_the_push_retried()
    {
        var sender = Sender();
        var token = NewToken();
        await sender.SendAsync(Message(NewToken()), Ct);
        _fcm.RevokeAccessTokens();

        var result = await sender.SendAsync(Message(token), Ct);
        _fcm.Script(token, FakeFcmAnswer.Unauthorized, FakeFcmAnswer.Unauthorized);
        var stillRejected = await sender.SendAsync(Message(token), Ct);

        Assert.Equal(PushStatus.Accepted, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(PushStatus.Transient, stillRejected.Status);
        Assert.Equal(2, stillRejected.Attempts);
        Assert.Equal(3, _fcm.TokensIssued); // the first, the refresh after the revocation, one refresh for the scripted 401s
        Assert.Single(_fcm.To(token));
    }

    [Fact]
    public async Task An_unreachable_server_is_transient()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var sender = Sender(("Notifications:Fcm:BaseUrl", $"http://127.0.0.1:{closedPort}/"), ("Notifications:Fcm:RetryDelay", "00:00:00"));

        var result = await sender.SendAsync(Message(NewToken()), Ct);

        Assert.Equal(PushStatus.Transient, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(1, _fcm.TokensIssued);
    }

    [Fact]
    public async Task Choosing_fcm_without_a_readable_service_account_fails_at_start()
    {
        var garbage = Path.Combine(Path.GetDirectoryName(_fcm.ServiceAccountFile)!, "garbage.json");
        await File.WriteAllTextAsync(garbage, "{\"type\":\"service_account\",\"client_email\":\"x@y\",\"private_key\":\"not a key\"}", Ct);

        var missing = await Assert.ThrowsAsync<OptionsValidationException>(() => Host(new() { ["Notifications:Sender"] = "Fcm" }).StartAsync(Ct));
        var unreadable = await Assert.ThrowsAsync<OptionsValidationException>(() => Host(new()
        {
            ["Notifications:Sender"] = "Fcm",
            ["Notifications:Fcm:ServiceAccountFile"] = garbage,
        }).StartAsync(Ct));
        var unknownSender = await Assert.ThrowsAsync<OptionsValidationException>(() => Host(new() { ["Notifications:Sender"] = "Apns" }).StartAsync(Ct));

        Assert.Contains("ServiceAccountFile", missing.Message);
        Assert.Contains("garbage.json", unreadable.Message);
        Assert.DoesNotContain("not a key", unreadable.Message);
        Assert.Contains("Sender", unknownSender.Message);
    }
}

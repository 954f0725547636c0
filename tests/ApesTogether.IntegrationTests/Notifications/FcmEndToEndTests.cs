using ApesTogether.Api.Features.Notifications;
using ApesTogether.Api.Features.Subscriptions;
using ApesTogether.IntegrationTests.Infrastructure;
using ApesTogether.LoadTest.Fakes;
using Microsoft.EntityFrameworkCore;
using static ApesTogether.IntegrationTests.NotificationTests;

namespace ApesTogether.IntegrationTests.Notifications;

/// <summary>Trade → outbox → fan-out → <see cref="NotificationSender"/> → the real FCM sender → <see cref="FakeFcmServer"/>.</summary>
public sealed class FcmEndToEndTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The worker role is off, so the test drives the sender itself on the fake clock. No in-call waits: a Retry-After
    /// goes straight back to the notification queue, where the fake clock decides when it is due.
    /// </summary>
    static async Task<(ApiFactory Api, FakeFcmServer Fcm)> StartAsync()
    {
        var fcm = await FakeFcmServer.StartAsync(cancellationToken: Ct);
        var settings = fcm.Settings;
        settings["Roles"] = "api,scheduler";
        settings["Notifications:Fcm:MaxRetryWait"] = "00:00:00";
        var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, settings);
        return (api, fcm);
    }

    /// <summary>Dispatches the trade's event and sends once the batching window has passed.</summary>
    static async Task<SendReport> DeliverAsync(ApiFactory api)
    {
        await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(6));
        return await api.SendDueAsync();
    }

    [Fact]
    public async Task A_trade_reaches_every_device_of_each_active_unmuted_subscriber_exactly_once()
    {
        var (api, fcm) = await StartAsync();
        await using var _ = api;
        await using var __ = fcm;
        var creator = await api.RegisterAsync();
        var fans = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            fans.Add(await api.RegisterAsync());
        }
        var muted = await api.RegisterAsync();
        var pushOff = await api.RegisterAsync();
        var expired = await api.RegisterAsync();
        var stranger = await api.RegisterAsync();
        foreach (var fan in fans.Append(muted).Append(pushOff).Append(expired))
        {
            await fan.SubscribeAsync(creator);
        }
        var wanted = new List<string>();
        foreach (var fan in fans)
        {
            wanted.Add(await fan.DeviceAsync());
        }
        wanted.Add(await fans[0].DeviceAsync("android"));
        var unwanted = new[] { await muted.DeviceAsync(), await pushOff.DeviceAsync(), await expired.DeviceAsync(), await stranger.DeviceAsync() };
        (await muted.PutSettingsAsync(new { muted_creators = new[] { creator.Username } })).EnsureSuccessStatusCode();
        (await pushOff.PutSettingsAsync(new { push_enabled = false })).EnsureSuccessStatusCode();
        var now = api.Clock.GetUtcNow().UtcDateTime;
        await api.WithDbAsync(db => db.Subscriptions.Where(s => s.SubscriberUserId == expired.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, SubscriptionStatus.Expired).SetProperty(x => x.CurrentPeriodEnd, now.AddDays(-1)), Ct));

        await TradeAsync(creator, "AAPL", 10);
        var report = await DeliverAsync(api);
        var again = await api.SendDueAsync();

        Assert.Equal(3, report.Pushes);
        Assert.Equal(4, report.PushAttempts);
        Assert.Equal(0, again.Pushes + again.PushAttempts);
        Assert.Empty(fcm.Refusals);
        Assert.Equal(wanted.Order(), fcm.Delivered.Select(d => d.Token).Order());
        Assert.All(unwanted, t => Assert.Empty(fcm.To(t)));
        var delivery = fcm.To(wanted[1]).Single();
        Assert.Equal($"@{creator.Username} bought 10 AAPL", delivery.Title);
        Assert.Equal("trade_alert", delivery.Data["type"]);
        Assert.Contains("AAPL", delivery.Data["data"]);
        Assert.Equal(1, fcm.TokensIssued);
        var rows = await api.WithDbAsync(db => db.Notifications.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(fans.Select(f => f.Id).Order(), rows.Select(r => r.UserId).Order());
        Assert.All(rows, r => Assert.Equal(NotificationStatus.Sent, r.Status));
    }

    [Fact]
    public async Task An_unregistered_device_is_removed_while_the_other_devices_get_the_alert()
    {
        var (api, fcm) = await StartAsync();
        await using var _ = api;
        await using var __ = fcm;
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        await fan.SubscribeAsync(creator);
        await other.SubscribeAsync(creator);
        var gone = await fan.DeviceAsync();
        var kept = await fan.DeviceAsync("android");
        var otherDevice = await other.DeviceAsync();
        fcm.Script(gone, FakeFcmAnswer.Unregistered);

        await TradeAsync(creator, "MSFT", 1);
        var report = await DeliverAsync(api);
        var tokens = await api.WithDbAsync(db => db.DeviceTokens.AsNoTracking().Select(d => d.Token).ToListAsync(Ct));

        Assert.Equal(2, report.Pushes);
        Assert.DoesNotContain(gone, tokens);
        Assert.Contains(kept, tokens);
        Assert.Contains(otherDevice, tokens);
        Assert.Empty(fcm.To(gone));
        Assert.Single(fcm.To(kept));
        Assert.Single(fcm.To(otherDevice));
        Assert.All(await api.WithDbAsync(db => db.Notifications.AsNoTracking().ToListAsync(Ct)),
            n => Assert.Equal(NotificationStatus.Sent, n.Status));
    }

    [Fact]
    public async Task An_fcm_outage_keeps_the_tokens_and_the_alert_goes_out_after_it()
    {
        var (api, fcm) = await StartAsync();
        await using var _ = api;
        await using var __ = fcm;
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        await fan.SubscribeAsync(creator);
        var token = await fan.DeviceAsync();
        fcm.RetryAfter = TimeSpan.FromSeconds(20);
        fcm.Outage = true;

        await TradeAsync(creator, "NVDA", 2);
        var during = await DeliverAsync(api);
        var waiting = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.UserId == fan.Id, Ct));
        fcm.Outage = false;
        api.Clock.Advance(TimeSpan.FromSeconds(10));
        var tooEarly = await api.SendDueAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(10));
        var after = await api.SendDueAsync();
        var sent = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.UserId == fan.Id, Ct));

        Assert.Equal(0, during.Pushes);
        Assert.Equal(1, during.Retried);
        Assert.Equal(NotificationStatus.Queued, waiting.Status);
        Assert.Contains("503", waiting.LastError);
        Assert.Equal(0, tooEarly.Pushes + tooEarly.PushAttempts);
        Assert.Equal(1, after.Pushes);
        Assert.True(await api.WithDbAsync(db => db.DeviceTokens.AnyAsync(d => d.Token == token, Ct)));
        Assert.Equal(NotificationStatus.Sent, sent.Status);
        Assert.Equal(2, sent.Attempts);
        Assert.Single(fcm.To(token));
        Assert.Equal(2, fcm.SendAttempts.Count);
    }
}

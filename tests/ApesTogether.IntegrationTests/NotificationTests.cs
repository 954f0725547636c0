using System.Collections.Concurrent;
using System.Net;
using ApesTogether.Api.Features.Events;
using ApesTogether.Api.Features.Notifications;
using ApesTogether.Api.Features.Subscriptions;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests;

public sealed class NotificationTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(ApiFactory Api, CapturingPushSender Push)> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var push = new CapturingPushSender();
        var settings = new Dictionary<string, string?> { ["Roles"] = "api,scheduler" };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, settings, services => services.AddSingleton<IPushSender>(push));
        return (api, push);
    }

    internal static async Task TradeAsync(TestUser user, string ticker, decimal quantity, string action = "buy") =>
        await (await user.TradeAsync(ticker, quantity, action)).ReadJsonAsync(HttpStatusCode.Created);

    [Fact]
    public async Task A_device_token_registers_idempotently_moves_to_another_user_and_unregisters()
    {
        var (api, _) = await StartAsync();
        await using var _api = api;
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var token = "tok-" + Guid.NewGuid().ToString("N");

        await (await alice.Client.PostJsonAsync("/api/v1/devices", new { token, platform = "ios" })).ReadJsonAsync(HttpStatusCode.Created);
        await (await alice.Client.PostJsonAsync("/api/v1/devices", new { token, platform = "ios" })).ReadJsonAsync(HttpStatusCode.Created);
        var afterAlice = await api.WithDbAsync(db => db.DeviceTokens.AsNoTracking().Where(d => d.Token == token).ToListAsync(Ct));
        await (await bob.Client.PostJsonAsync("/api/v1/devices", new { token, platform = "android" })).ReadJsonAsync(HttpStatusCode.Created);
        var afterBob = await api.WithDbAsync(db => db.DeviceTokens.AsNoTracking().SingleAsync(d => d.Token == token, Ct));
        var aliceDelete = await alice.Client.DeleteAsync($"/api/v1/devices/{token}", Ct);
        var stillThere = await api.WithDbAsync(db => db.DeviceTokens.AnyAsync(d => d.Token == token, Ct));
        var bobDelete = await bob.Client.DeleteAsync($"/api/v1/devices/{token}", Ct);
        var unknownDelete = await bob.Client.DeleteAsync("/api/v1/devices/never-registered", Ct);
        var bad = await alice.Client.PostJsonAsync("/api/v1/devices", new { token = "x", platform = "windows" });

        Assert.Equal(alice.Id, Assert.Single(afterAlice).UserId);
        Assert.Equal(bob.Id, afterBob.UserId);
        Assert.Equal("android", afterBob.Platform);
        Assert.Equal(HttpStatusCode.NoContent, aliceDelete.StatusCode);
        Assert.True(stillThere);
        Assert.Equal(HttpStatusCode.NoContent, bobDelete.StatusCode);
        Assert.False(await api.WithDbAsync(db => db.DeviceTokens.AnyAsync(d => d.Token == token, Ct)));
        Assert.Equal(HttpStatusCode.NoContent, unknownDelete.StatusCode);
        await bad.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Settings_default_validate_and_round_trip()
    {
        var (api, _) = await StartAsync();
        await using var _api = api;
        var fan = await api.RegisterAsync();
        var creator = await api.RegisterAsync();

        var defaults = await (await fan.Client.Get("/api/v1/notifications/settings")).ReadJsonAsync(HttpStatusCode.OK);
        var badTime = await fan.PutSettingsAsync(new { quiet_hours = new { start = "25:00", end = "08:00" } });
        var badZone = await fan.PutSettingsAsync(new { time_zone = "Mars/Olympus_Mons" });
        var unknownUser = await fan.PutSettingsAsync(new { muted_creators = new[] { "nobody_" + Guid.NewGuid().ToString("N")[..8] } });
        var saved = await (await fan.PutSettingsAsync(new
        {
            push_enabled = false,
            quiet_hours = new { start = "23:30", end = "07:15" },
            time_zone = "Europe/Berlin",
            muted_creators = new[] { creator.Username.ToUpperInvariant() },
        })).ReadJsonAsync(HttpStatusCode.OK);
        var read = await (await fan.Client.Get("/api/v1/notifications/settings")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True((bool)defaults["push_enabled"]!);
        Assert.Equal("22:00", (string?)defaults["quiet_hours"]!["start"]);
        Assert.Equal("08:00", (string?)defaults["quiet_hours"]!["end"]);
        Assert.Null(defaults["time_zone"]);
        Assert.Equal("America/New_York", (string?)defaults["effective_time_zone"]);
        await badTime.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await badZone.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await unknownUser.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(saved.ToJsonString(), read.ToJsonString());
        Assert.False((bool)read["push_enabled"]!);
        Assert.Equal("23:30", (string?)read["quiet_hours"]!["start"]);
        Assert.Equal("07:15", (string?)read["quiet_hours"]!["end"]);
        Assert.Equal("Europe/Berlin", (string?)read["time_zone"]);
        Assert.Equal([creator.Username], read["muted_creators"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public async Task A_trade_reaches_each_subscriber_with_access_and_a_device_exactly_once()
    {
        var (api, push) = await StartAsync();
        await using var _api = api;
        var creator = await api.RegisterAsync();
        var active = await api.RegisterAsync();
        var canceled = await api.RegisterAsync();
        var expired = await api.RegisterAsync();
        var muted = await api.RegisterAsync();
        var pushOff = await api.RegisterAsync();
        var noDevice = await api.RegisterAsync();
        var stranger = await api.RegisterAsync();
        foreach (var fan in new[] { active, canceled, expired, muted, pushOff, noDevice })
        {
            await fan.SubscribeAsync(creator);
        }
        var tokens = new Dictionary<long, string>();
        foreach (var user in new[] { active, canceled, expired, muted, pushOff, stranger })
        {
            tokens[user.Id] = await user.DeviceAsync();
        }
        var secondDevice = await active.DeviceAsync("android");
        var canceledId = await api.WithDbAsync(db => db.Subscriptions.Where(s => s.SubscriberUserId == canceled.Id).Select(s => s.Id).SingleAsync(Ct));
        (await canceled.Client.DeleteAsync($"/api/v1/subscriptions/{canceledId}", Ct)).EnsureSuccessStatusCode();
        var now = api.Clock.GetUtcNow().UtcDateTime;
        await api.WithDbAsync(db => db.Subscriptions.Where(s => s.SubscriberUserId == expired.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, SubscriptionStatus.Expired).SetProperty(x => x.CurrentPeriodEnd, now.AddDays(-1)), Ct));
        (await muted.PutSettingsAsync(new { muted_creators = new[] { creator.Username } })).EnsureSuccessStatusCode();
        (await pushOff.PutSettingsAsync(new { push_enabled = false })).EnsureSuccessStatusCode();

        await TradeAsync(creator, "AAPL", 10);
        await api.DispatchAsync();
        var early = await api.SendDueAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(6));
        var report = await api.SendDueAsync();
        var again = await api.SendDueAsync();

        Assert.Equal(0, early.Pushes);
        Assert.Equal(2, report.Pushes);
        Assert.Equal(1, report.Suppressed);
        Assert.Equal(0, again.Pushes + again.Notifications);
        var title = $"@{creator.Username} bought 10 AAPL";
        Assert.Equal(title, Assert.Single(push.To(tokens[active.Id])).Title);
        Assert.Single(push.To(secondDevice));
        Assert.Single(push.To(tokens[canceled.Id]));
        Assert.Equal(3, push.Sent.Count);
        var rows = await api.WithDbAsync(db => db.Notifications.AsNoTracking().ToListAsync(Ct));
        Assert.Equal([active.Id, canceled.Id, noDevice.Id], rows.Select(r => r.UserId).Order());
        Assert.Equal(NotificationStatus.Suppressed, rows.Single(r => r.UserId == noDevice.Id).Status);
        var sent = rows.Single(r => r.UserId == active.Id);
        Assert.Equal(NotificationStatus.Sent, sent.Status);
        Assert.Equal(1, sent.Attempts);
        Assert.InRange(sent.LatencyMs!.Value, 6000, 7000);
        var history = await (await active.Client.Get("/api/v1/notifications?limit=10")).ReadJsonAsync(HttpStatusCode.OK);
        var item = Assert.Single(history["items"]!.AsArray())!;
        Assert.Equal(title, (string?)item["title"]);
        Assert.Equal("sent", (string?)item["status"]);
        Assert.Equal("AAPL", (string?)item["data"]!["ticker"]);
        Assert.NotNull(item["sent_at"]);
        Assert.Null(history["next_cursor"]);
    }

    [Fact]
    public async Task The_worker_sends_when_the_batching_window_closes_without_waiting_for_its_next_poll()
    {
        // The sender polls once a minute here, so only the wake-up at the window's end can send within the test.
        var (api, push) = await StartAsync(new() { ["Roles"] = "api,worker", ["Notifications:SendInterval"] = "00:01:00" });
        await using var _api = api;
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        await fan.SubscribeAsync(creator);
        var device = await fan.DeviceAsync();

        await TradeAsync(creator, "NVDA", 3);
        await Scenario.WaitUntilAsync(() => api.WithDbAsync(db => db.Notifications.AnyAsync(n => n.UserId == fan.Id, Ct)), "the alert was queued");
        api.Clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(200, Ct);
        var beforeTheWindowClosed = push.Sent.Count;
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        await Scenario.WaitUntilAsync(() => Task.FromResult(!push.Sent.IsEmpty), "the alert was pushed when its window closed");

        Assert.Equal(0, beforeTheWindowClosed);
        Assert.Equal(device, Assert.Single(push.Sent).Token);
    }

    [Fact]
    public async Task Three_trades_inside_the_batching_window_arrive_as_one_push_and_a_redelivery_adds_nothing()
    {
        var (api, push) = await StartAsync();
        await using var _api = api;
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        await fan.SubscribeAsync(creator);
        var token = await fan.DeviceAsync();

        for (var i = 0; i < 3; i++)
        {
            await TradeAsync(creator, "MSFT", 1);
            await api.DispatchAsync();
            api.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        // As if the consumer's record were lost: every event is delivered to the fan-out again.
        await api.WithDbAsync(db => db.ProcessedEvents.Where(p => p.Consumer == "notifications").ExecuteDeleteAsync(Ct));
        await api.WithDbAsync(db => db.OutboxMessages.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Pending).SetProperty(m => m.AvailableAt, api.Clock.GetUtcNow().UtcDateTime), Ct));
        var redelivered = await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(3));
        var report = await api.SendDueAsync();

        Assert.Equal(3, redelivered.Delivered);
        Assert.Equal(3, await api.WithDbAsync(db => db.Notifications.CountAsync(n => n.UserId == fan.Id, Ct)));
        Assert.Equal(1, report.Pushes);
        Assert.Equal(3, report.Notifications);
        var message = Assert.Single(push.To(token));
        Assert.Equal($"3 new trades from @{creator.Username}", message.Title);
        Assert.All(await api.WithDbAsync(db => db.Notifications.Where(n => n.UserId == fan.Id).ToListAsync(Ct)),
            n => Assert.Equal(NotificationStatus.Sent, n.Status));
    }

    [Fact]
    public async Task Alerts_in_quiet_hours_are_held_and_sent_as_one_summary_when_they_end()
    {
        var (api, push) = await StartAsync();
        await using var _api = api;
        var first = await api.RegisterAsync();
        var second = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        await fan.SubscribeAsync(first);
        await fan.SubscribeAsync(second);
        var token = await fan.DeviceAsync();
        // 15:00 UTC is 23:00 in Singapore (UTC+8): inside the default 22:00–08:00.
        (await fan.PutSettingsAsync(new { time_zone = "Asia/Singapore" })).EnsureSuccessStatusCode();

        await TradeAsync(first, "AAPL", 1);
        await TradeAsync(second, "KO", 2);
        await TradeAsync(first, "PEP", 3, "buy");
        await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(10));
        var duringQuiet = await api.SendDueAsync();
        var held = await api.WithDbAsync(db => db.Notifications.AsNoTracking().Where(n => n.UserId == fan.Id).ToListAsync(Ct));
        api.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero)); // 08:00 in Singapore
        var atEnd = await api.SendDueAsync();

        Assert.Equal(0, duringQuiet.Pushes);
        Assert.Equal(3, held.Count);
        Assert.All(held, n => Assert.Equal(NotificationStatus.Held, n.Status));
        Assert.All(held, n => Assert.Equal(new DateTime(2026, 3, 3, 0, 0, 0, DateTimeKind.Utc), n.DueAt));
        Assert.Equal(1, atEnd.Pushes);
        var message = Assert.Single(push.To(token));
        Assert.Equal("3 new trades from 2 traders", message.Title);
    }

    [Fact]
    public void Quiet_hours_cross_midnight_and_end_at_local_time_across_a_dst_change()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var start = new TimeOnly(22, 0);
        var end = new TimeOnly(8, 0);

        // Saturday 7 March 2026, 23:00 EST; clocks go forward that night, so 08:00 Sunday is EDT (UTC-4).
        var ends = QuietHours.EndsAt(start, end, newYork, new DateTime(2026, 3, 8, 4, 0, 0, DateTimeKind.Utc));
        var earlyMorning = QuietHours.EndsAt(start, end, newYork, new DateTime(2026, 3, 9, 10, 0, 0, DateTimeKind.Utc));
        var daytime = QuietHours.EndsAt(start, end, newYork, new DateTime(2026, 3, 9, 16, 0, 0, DateTimeKind.Utc));

        Assert.Equal(new DateTime(2026, 3, 8, 12, 0, 0, DateTimeKind.Utc), ends);
        Assert.Equal(new DateTime(2026, 3, 9, 12, 0, 0, DateTimeKind.Utc), earlyMorning);
        Assert.Null(daytime);
        Assert.True(QuietHours.Contains(new TimeOnly(9, 0), new TimeOnly(17, 0), new TimeOnly(12, 0)));
        Assert.False(QuietHours.Contains(new TimeOnly(9, 0), new TimeOnly(9, 0), new TimeOnly(9, 0)));
    }

    [Fact]
    public async Task The_per_minute_ceiling_defers_the_rest_to_the_next_minute()
    {
        var (api, push) = await StartAsync(new() { ["Notifications:MaxPerMinute"] = "2" });
        await using var _api = api;
        var creator = await api.RegisterAsync();
        var fans = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            var fan = await api.RegisterAsync();
            await fan.SubscribeAsync(creator);
            await fan.DeviceAsync();
            fans.Add(fan);
        }

        await TradeAsync(creator, "NVDA", 1);
        await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(6));
        var first = await api.SendDueAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(10));
        var sameMinute = await api.SendDueAsync();
        api.Clock.Advance(TimeSpan.FromMinutes(1));
        var nextMinute = await api.SendDueAsync();

        Assert.Equal(2, first.Pushes);
        Assert.Equal(1, first.DeferredRecipients);
        Assert.Equal(0, sameMinute.Pushes);
        Assert.Equal(1, sameMinute.DeferredRecipients);
        Assert.Equal(1, nextMinute.Pushes);
        Assert.Equal(3, push.Sent.Count);
        Assert.Equal(3, await api.WithDbAsync(db => db.Notifications.CountAsync(n => n.Status == NotificationStatus.Sent, Ct)));
    }

    /// <summary>Holds every push until <paramref name="expected"/> are in flight at once (or a hang guard ends the wait).</summary>
    sealed class GatheringPushSender(int expected) : IPushSender
    {
        readonly TaskCompletionSource _gathered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int _inFlight;
        int _maxInFlight;

        public ConcurrentQueue<PushMessage> Sent { get; } = new();
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);
        public bool Gathered => _gathered.Task.IsCompletedSuccessfully;

        public async Task<PushResult> SendAsync(PushMessage message, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int max;
            while ((max = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }
            if (now >= expected)
            {
                _gathered.TrySetResult();
            }
            await _gathered.Task.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Sent.Enqueue(message);
            Interlocked.Decrement(ref _inFlight);
            return PushResult.Accepted;
        }
    }

    [Fact]
    public async Task Pushes_to_different_recipients_go_out_in_parallel_up_to_the_configured_concurrency()
    {
        var push = new GatheringPushSender(expected: 4);
        var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning,
            new Dictionary<string, string?> { ["Roles"] = "api,scheduler", ["Notifications:SendConcurrency"] = "4" },
            services => services.AddSingleton<IPushSender>(push));
        await using var _api = api;
        var creator = await api.RegisterAsync();
        var tokens = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var fan = await api.RegisterAsync();
            await fan.SubscribeAsync(creator);
            tokens.Add(await fan.DeviceAsync());
        }

        await TradeAsync(creator, "AAPL", 1);
        await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(6));
        var report = await api.SendDueAsync();

        Assert.True(push.Gathered, "four pushes were never in flight at once");
        Assert.Equal(4, push.MaxInFlight);
        Assert.Equal(10, report.Pushes);
        Assert.Equal(tokens.Order(), push.Sent.Select(m => m.Token).Order());
        Assert.Equal(10, await api.WithDbAsync(db => db.Notifications.CountAsync(n => n.Status == NotificationStatus.Sent, Ct)));
    }

    [Fact]
    public async Task A_transient_failure_keeps_the_token_and_retries_while_a_gone_token_is_removed()
    {
        var (api, push) = await StartAsync();
        await using var _api = api;
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        await fan.SubscribeAsync(creator);
        var token = await fan.DeviceAsync();
        push.Script.Enqueue(new PushResult(PushStatus.Transient, "503 unavailable", TimeSpan.FromSeconds(30)));

        await TradeAsync(creator, "AAPL", 1);
        await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(6));
        var failed = await api.SendDueAsync();
        var tooEarly = await api.SendDueAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(30));
        var retried = await api.SendDueAsync();
        var afterRetry = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.UserId == fan.Id, Ct));
        push.Script.Enqueue(new PushResult(PushStatus.TokenInvalid, "UNREGISTERED"));
        await TradeAsync(creator, "AAPL", 1);
        await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(6));
        var gone = await api.SendDueAsync();

        Assert.Equal(1, failed.Retried);
        Assert.Equal(0, tooEarly.Pushes + tooEarly.Retried);
        Assert.Equal(1, retried.Pushes);
        Assert.Equal(NotificationStatus.Sent, afterRetry.Status);
        Assert.Equal(2, afterRetry.Attempts);
        Assert.Equal(1, gone.Suppressed);
        Assert.False(await api.WithDbAsync(db => db.DeviceTokens.AnyAsync(d => d.Token == token, Ct)));
        Assert.Equal(3, push.To(token).Count);
    }
}

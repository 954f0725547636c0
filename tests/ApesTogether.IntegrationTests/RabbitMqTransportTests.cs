using System.Net;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Events;
using ApesTogether.Api.Features.Notifications;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests;

/// <summary>
/// The event pipeline through a real RabbitMQ broker (started by the test script; see <see cref="TestBroker"/>): publishing
/// with confirms, consuming with manual acks, broker-side dead-lettering, restarts and several workers.
/// </summary>
public sealed class RabbitMqTransportTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A consumer whose downstream is down: fails every delivery and counts them.</summary>
    sealed class FailingConsumer : IEventConsumer
    {
        int _attempts;
        public int Attempts => Volatile.Read(ref _attempts);
        public string Name => "failing";

        public Task HandleAsync(AppDbContext db, TradeExecuted trade, CancellationToken ct)
        {
            Interlocked.Increment(ref _attempts);
            throw new InvalidOperationException("downstream down");
        }
    }

    static Dictionary<string, string?> Settings(string prefix, string roles, params (string Key, string? Value)[] extra)
    {
        var settings = TestBroker.Settings(prefix);
        settings["Roles"] = roles;
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    static Task<int> TradesCountedAsync(ApiFactory api, long userId) =>
        api.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == userId).SumAsync(c => c.Trades, Ct));

    static Task<int> ProcessedAsync(ApiFactory api, string consumer) =>
        api.WithDbAsync(db => db.ProcessedEvents.CountAsync(p => p.Consumer == consumer, Ct));

    [Fact]
    public async Task A_trade_reaches_every_consumer_through_the_broker_and_each_subscribed_device_once()
    {
        var push = new CapturingPushSender();
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, Settings(TestBroker.NewPrefix(), "api,worker"),
            services => services.AddSingleton<IPushSender>(push));
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        var muted = await api.RegisterAsync();
        var stranger = await api.RegisterAsync();
        await fan.SubscribeAsync(creator);
        await muted.SubscribeAsync(creator);
        var phone = await fan.DeviceAsync();
        var tablet = await fan.DeviceAsync("android");
        await muted.DeviceAsync();
        await stranger.DeviceAsync();
        (await muted.PutSettingsAsync(new { muted_creators = new[] { creator.Username } })).EnsureSuccessStatusCode();

        await (await creator.TradeAsync("AAPL", 10, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        await Scenario.WaitUntilAsync(async () => await ProcessedAsync(api, "notifications") == 1 && await ProcessedAsync(api, "analytics") == 1
            && await ProcessedAsync(api, "leaderboard") == 1, "every consumer handled the event");
        // The broker's confirm and the consumers race; the outbox row is marked once the confirm is in.
        await Scenario.WaitUntilAsync(() => api.WithDbAsync(db => db.OutboxMessages.AllAsync(m => m.Status == OutboxStatus.Delivered, Ct)),
            "the outbox recorded the broker's confirm");
        Assert.Equal(1, await TradesCountedAsync(api, creator.Id));
        Assert.Equal(1, (await api.WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(Ct))).Attempts);
        var queued = await api.WithDbAsync(db => db.Notifications.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(fan.Id, Assert.Single(queued).UserId);

        // The batching window (5 s) passes on the fake clock; the worker's sender loop wakes and pushes.
        api.Clock.Advance(TimeSpan.FromSeconds(6));
        await Scenario.WaitUntilAsync(() => Task.FromResult(push.Sent.Count >= 2), "the alert was pushed");
        Assert.Equal(new[] { phone, tablet }.Order(StringComparer.Ordinal), push.Sent.Select(m => m.Token).Order(StringComparer.Ordinal));
        Assert.All(push.Sent, m => Assert.Equal($"@{creator.Username} bought 10 AAPL", m.Title));
        var health = await (await (await api.AdminAsync()).Client.Get("/admin/metrics/health")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("RabbitMq", (string?)health["outbox"]!["transport"]);
        Assert.Equal(3, health["outbox"]!["queues"]!.AsArray().Count);
        Assert.All(health["outbox"]!["queues"]!.AsArray(), q => Assert.Equal(0, (int)q!["dead_lettered"]!));
    }

    [Fact]
    public async Task A_failing_consumer_is_redelivered_then_dead_lettered_by_the_broker_while_the_others_run_once()
    {
        var failing = new FailingConsumer();
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning,
            Settings(TestBroker.NewPrefix(), "api,worker", ("Messaging:RabbitMq:MaxDeliveries", "3")),
            services => services.AddSingleton<IEventConsumer>(failing));
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();

        await (await user.TradeAsync("KO", 2, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        async Task<int> DeadAsync()
        {
            var health = await (await admin.Client.Get("/admin/metrics/health")).ReadJsonAsync(HttpStatusCode.OK);
            return health["outbox"]!["queues"]!.AsArray().Where(q => ((string)q!["queue"]!).EndsWith(".failing", StringComparison.Ordinal))
                .Select(q => (int)q!["dead_lettered"]!).Single();
        }
        await Scenario.WaitUntilAsync(async () => await DeadAsync() == 1 && await ProcessedAsync(api, "analytics") == 1,
            "the broker dead-lettered the event and the other consumers handled it");
        Assert.Equal(3, failing.Attempts);
        Assert.Equal(1, await TradesCountedAsync(api, user.Id));
        Assert.Equal(0, await ProcessedAsync(api, "failing"));
        // For the outbox the event was delivered once the broker took it; its dead letter is the broker's to keep.
        await Scenario.WaitUntilAsync(() => api.WithDbAsync(db => db.OutboxMessages.AllAsync(m => m.Status == OutboxStatus.Delivered, Ct)),
            "the outbox recorded the broker's confirm");
        var health = await (await admin.Client.Get("/admin/metrics/health")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Contains(health["warnings"]!.AsArray(), w => ((string)w!).Contains("dead-lettered in RabbitMQ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_published_before_the_host_stopped_is_consumed_after_restart()
    {
        var prefix = TestBroker.NewPrefix();
        await using var database = TestDatabase.Shared();
        var first = await ApiFactory.StartAsync(ApiFactory.MondayMorning, Settings(prefix, "api"), database: database);
        var user = await first.RegisterAsync();
        await (await user.TradeAsync("PEP", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var published = await first.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync(Ct);
        var waiting = await first.Services.GetRequiredService<RabbitMqBroker>().DepthsAsync(Ct);
        await first.DisposeAsync();

        // Restart: a new process on the same database and queues, this time with the worker role.
        await using var second = await ApiFactory.StartAsync(first.Clock.GetUtcNow(), Settings(prefix, "api,worker"), database: database);

        Assert.Equal(1, published.Delivered);
        Assert.All(waiting, q => Assert.Equal(1u, q.Ready));
        await Scenario.WaitUntilAsync(async () => await TradesCountedAsync(second, user.Id) == 1 && await ProcessedAsync(second, "leaderboard") == 1,
            "the restarted worker consumed the event");
        Assert.Equal(1, await ProcessedAsync(second, "analytics"));
    }

    [Fact]
    public async Task A_broker_outage_holds_events_in_the_outbox_without_counting_attempts_until_the_broker_is_back()
    {
        var prefix = TestBroker.NewPrefix();
        // Nothing listens on port 1: the broker is down.
        var down = Settings(prefix, "api", ("ConnectionStrings:RabbitMq", "amqp://guest:guest@127.0.0.1:1/"), ("Outbox:MaxAttempts", "2"));
        await using var database = TestDatabase.Shared();
        var first = await ApiFactory.StartAsync(ApiFactory.MondayMorning, down, database: database);
        var user = await first.RegisterAsync();
        await (await user.TradeAsync("MSFT", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var dispatcher = first.Services.GetRequiredService<OutboxDispatcher>();
        var reports = new List<DispatchReport>();
        for (var i = 0; i < 4; i++)
        {
            reports.Add(await dispatcher.DispatchOnceAsync(Ct));
            first.Clock.Advance(OutboxDispatcher.UnavailableBackoff);
        }
        var held = await first.WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(Ct));
        await first.DisposeAsync();

        await using var second = await ApiFactory.StartAsync(first.Clock.GetUtcNow(), Settings(prefix, "api,worker"), database: database);

        Assert.All(reports, r => Assert.Equal((1, 0, 1, 0), (r.Claimed, r.Delivered, r.Retried, r.DeadLettered)));
        Assert.Equal(OutboxStatus.Pending, held.Status);
        Assert.Equal(0, held.Attempts);
        Assert.Contains("unreachable", held.LastError, StringComparison.OrdinalIgnoreCase);
        await Scenario.WaitUntilAsync(async () => await TradesCountedAsync(second, user.Id) == 1
            && await second.WithDbAsync(db => db.OutboxMessages.AllAsync(m => m.Status == OutboxStatus.Delivered, Ct)),
            "the event was published and consumed once the broker was reachable");
        Assert.Equal(1, await second.WithDbAsync(db => db.OutboxMessages.Select(m => m.Attempts).SingleAsync(Ct)));
    }

    [Fact]
    public async Task Two_worker_instances_share_the_work_and_handle_each_event_exactly_once()
    {
        var prefix = TestBroker.NewPrefix();
        await using var database = TestDatabase.Shared();
        await using var one = await ApiFactory.StartAsync(ApiFactory.MondayMorning, Settings(prefix, "api,worker"), database: database);
        await using var two = await ApiFactory.StartAsync(ApiFactory.MondayMorning, Settings(prefix, "api,worker"), database: database);
        var users = new List<TestUser>();
        for (var i = 0; i < 4; i++)
        {
            var user = await (i % 2 == 0 ? one : two).RegisterAsync();
            users.Add(user);
        }

        await Task.WhenAll(users.Select(async user =>
        {
            for (var t = 0; t < 5; t++)
            {
                await (await user.TradeAsync("T", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
            }
        }));

        await Scenario.WaitUntilAsync(async () => await ProcessedAsync(one, "analytics") == 20 && await ProcessedAsync(one, "notifications") == 20
            && await ProcessedAsync(one, "leaderboard") == 20, "both workers handled all 20 events");
        // The consumers may finish before the dispatcher records the broker's last confirms.
        await Scenario.WaitUntilAsync(async () => await one.WithDbAsync(db => db.OutboxMessages.CountAsync(m => m.Status == OutboxStatus.Delivered, Ct)) == 20,
            "the outbox recorded all 20 confirms");
        foreach (var user in users)
        {
            Assert.Equal(5, await TradesCountedAsync(one, user.Id));
        }
        Assert.Equal(20, await one.WithDbAsync(db => db.OutboxMessages.CountAsync(Ct)));
    }
}

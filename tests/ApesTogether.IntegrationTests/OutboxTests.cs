using System.Net;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Events;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests;

public sealed class OutboxTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly Dictionary<string, string?> NoWorker = new() { ["Roles"] = "api,scheduler" };

    [Fact]
    public async Task An_executed_trade_commits_one_trade_executed_event_and_a_refused_one_none()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, NoWorker);
        var user = await api.RegisterAsync();

        var trade = await (await user.TradeAsync("AAPL", 2, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await (await user.TradeAsync("AAPL", 5, "sell")).ReadProblemAsync(HttpStatusCode.Conflict, "insufficient_shares");

        var events = await api.WithDbAsync(db => db.OutboxMessages.AsNoTracking().ToListAsync(Ct));
        var message = Assert.Single(events);
        Assert.Equal("trade_executed", message.Type);
        Assert.Equal(OutboxStatus.Pending, message.Status);
        var payload = System.Text.Json.Nodes.JsonNode.Parse(message.Payload)!;
        Assert.Equal((long)trade["transaction"]!["id"]!, (long)payload["transaction_id"]!);
        Assert.Equal(user.Id, (long)payload["user_id"]!);
        Assert.Equal("buy", (string?)payload["action"]);
        Assert.Equal(trade["transaction"]!["total"].Dec(), payload["total"].Dec());
    }

    [Fact]
    public async Task The_worker_delivers_events_and_the_analytics_consumer_counts_trades_per_day()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning);
        var user = await api.RegisterAsync();

        for (var i = 0; i < 3; i++)
        {
            await (await user.TradeAsync("MSFT", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        int counted;
        do
        {
            await Task.Delay(50, Ct);
            counted = await api.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == user.Id).Select(c => c.Trades).SingleOrDefaultAsync(Ct));
        }
        while (counted < 3 && DateTime.UtcNow < deadline);
        Assert.Equal(3, counted);
        Assert.Equal(new DateOnly(2026, 3, 2), await api.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == user.Id).Select(c => c.Date).SingleAsync(Ct)));
    }

    [Fact]
    public async Task Events_committed_while_no_worker_ran_are_delivered_later_and_a_redelivery_counts_nothing_twice()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, NoWorker);
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("KO", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var first = await api.DispatchAsync();
        // As if the dispatcher had died after the consumers ran but before marking the event delivered.
        await api.WithDbAsync(db => db.OutboxMessages.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Pending).SetProperty(m => m.AvailableAt, api.Clock.GetUtcNow().UtcDateTime), Ct));
        var second = await api.DispatchAsync();

        Assert.Equal(1, first.Delivered);
        Assert.Equal(1, second.Delivered);
        Assert.Equal(1, await api.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == user.Id).Select(c => c.Trades).SingleAsync(Ct)));
        Assert.Equal(OutboxStatus.Delivered, await api.WithDbAsync(db => db.OutboxMessages.Select(m => m.Status).SingleAsync(Ct)));
    }

    [Fact]
    public async Task An_event_committed_just_before_the_host_stopped_is_delivered_once_after_restart()
    {
        await using var database = TestDatabase.Shared();
        // The worker runs, and the host stops right after the commit: the event may or may not have gone out before.
        var first = await ApiFactory.StartAsync(ApiFactory.MondayMorning, database: database);
        var user = await first.RegisterAsync();
        await (await user.TradeAsync("KO", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await first.DisposeAsync();

        await using var second = await ApiFactory.StartAsync(first.Clock.GetUtcNow(), database: database);

        await Scenario.WaitUntilAsync(async () => await second.WithDbAsync(db => db.OutboxMessages.AllAsync(m => m.Status == OutboxStatus.Delivered, Ct)),
            "the restarted worker delivered the event");
        Assert.Equal(1, await second.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == user.Id).Select(c => c.Trades).SingleAsync(Ct)));
        Assert.Equal(1, await second.WithDbAsync(db => db.ProcessedEvents.CountAsync(p => p.Consumer == "analytics", Ct)));
    }

    [Fact]
    public async Task An_event_committed_while_no_worker_ran_is_delivered_by_the_worker_of_the_next_start()
    {
        await using var database = TestDatabase.Shared();
        var first = await ApiFactory.StartAsync(ApiFactory.MondayMorning, NoWorker, database: database);
        var user = await first.RegisterAsync();
        await (await user.TradeAsync("KO", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var before = await first.WithDbAsync(db => db.OutboxMessages.Select(m => m.Status).SingleAsync(Ct));
        await first.DisposeAsync();

        await using var second = await ApiFactory.StartAsync(first.Clock.GetUtcNow(), database: database);

        Assert.Equal(OutboxStatus.Pending, before);
        // The row is marked delivered once every consumer has run; the analytics count alone would come earlier.
        await Scenario.WaitUntilAsync(async () => await second.WithDbAsync(db => db.OutboxMessages.AllAsync(m => m.Status == OutboxStatus.Delivered, Ct)),
            "the restarted worker delivered the event");
        Assert.Equal(1, await second.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == user.Id).Select(c => c.Trades).SingleAsync(Ct)));
    }

    /// <summary>A consumer that always fails: a downstream outage.</summary>
    sealed class FailingConsumer : IEventConsumer
    {
        public string Name => "failing";
        public Task HandleAsync(AppDbContext db, TradeExecuted trade, CancellationToken ct) => throw new InvalidOperationException("downstream down");
    }

    [Fact]
    public async Task A_failing_delivery_is_retried_with_backoff_then_dead_lettered_while_other_consumers_run_once()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning,
            new Dictionary<string, string?> { ["Roles"] = "api,scheduler", ["Outbox:MaxAttempts"] = "3" },
            services => services.AddSingleton<IEventConsumer, FailingConsumer>());
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("PEP", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var first = await api.DispatchAsync();
        var tooEarly = await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(2));
        var second = await api.DispatchAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(4));
        var third = await api.DispatchAsync();

        Assert.Equal(1, first.Retried);
        Assert.Equal(0, tooEarly.Claimed);
        Assert.Equal(1, second.Retried);
        Assert.Equal(1, third.DeadLettered);
        var message = await api.WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(OutboxStatus.Dead, message.Status);
        Assert.Equal(3, message.Attempts);
        Assert.Contains("downstream down", message.LastError, StringComparison.Ordinal);
        Assert.Equal(1, await api.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == user.Id).Select(c => c.Trades).SingleAsync(Ct)));
    }

    [Fact]
    public async Task Parallel_dispatchers_deliver_each_event_exactly_once()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, NoWorker);
        var users = new List<TestUser>();
        for (var i = 0; i < 5; i++)
        {
            var user = await api.RegisterAsync();
            for (var t = 0; t < 4; t++)
            {
                await (await user.TradeAsync("T", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
            }
            users.Add(user);
        }

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.DispatchAsync()));

        Assert.Equal(20, reports.Sum(r => r.Delivered));
        foreach (var user in users)
        {
            Assert.Equal(4, await api.WithDbAsync(db => db.TradeCounts.Where(c => c.UserId == user.Id).Select(c => c.Trades).SingleAsync(Ct)));
        }
    }
}

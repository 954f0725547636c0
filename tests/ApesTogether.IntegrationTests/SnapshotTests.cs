using System.Net;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Scheduling;
using ApesTogether.Api.Features.Snapshots;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApesTogether.IntegrationTests;

public sealed class SnapshotTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly Dictionary<string, string?> ApiOnly = new() { ["Roles"] = "api" };
    static readonly DateOnly Monday = new(2026, 3, 2);
    static readonly DateTimeOffset MondayClose = new(2026, 3, 2, 21, 0, 0, TimeSpan.Zero);

    static T Job<T>(ApiFactory api) where T : IScheduledJob => api.Services.GetServices<IScheduledJob>().OfType<T>().Single();

    static async Task<string> RunAsync<T>(ApiFactory api, DateTimeOffset tick) where T : IScheduledJob
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await Job<T>(api).RunAsync(scope.ServiceProvider, tick, Ct);
    }

    static async Task<List<DailySnapshot>> DailyAsync(ApiFactory api, long userId)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().DailySnapshots.AsNoTracking()
            .Where(s => s.UserId == userId).OrderBy(s => s.Date).ToListAsync(Ct);
    }

    static decimal Close(ApiFactory api, string ticker, DateOnly date) =>
        api.Services.GetRequiredService<SimulatedQuoteProvider>().CloseOn(ticker, date);

    [Fact]
    public async Task The_close_job_snapshots_each_user_as_of_the_real_close_at_official_closes()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, ApiOnly);
        var user = await api.RegisterAsync();
        var buy = await (await user.TradeAsync("AAPL", 10, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await api.MoveClockAsync(MondayClose + MarketCloseJob.Delay, user);

        await RunAsync<MarketCloseJob>(api, MondayClose + MarketCloseJob.Delay);

        var snapshot = Assert.Single(await DailyAsync(api, user.Id));
        Assert.Equal(Monday, snapshot.Date);
        Assert.Equal(MondayClose.UtcDateTime, snapshot.At);
        Assert.Equal(10 * Close(api, "AAPL", Monday), snapshot.StockValue);
        Assert.Equal(buy["cash"]!["capital_deployed"].Dec(), snapshot.CapitalDeployed);
        Assert.Equal(snapshot.StockValue + snapshot.CashProceeds, snapshot.TotalValue);
    }

    [Fact]
    public async Task A_late_snapshot_uses_the_ledger_and_prices_as_of_its_close_not_now_and_reruns_change_nothing()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, ApiOnly);
        var user = await api.RegisterAsync();
        var monday = await (await user.TradeAsync("AAPL", 10, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await api.MoveClockAsync(new DateTimeOffset(2026, 3, 3, 15, 0, 0, TimeSpan.Zero), user);
        await (await user.TradeAsync("AAPL", 4, "sell")).ReadJsonAsync(HttpStatusCode.Created);
        await (await user.TradeAsync("MSFT", 5, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var writer = scope.ServiceProvider.GetRequiredService<SnapshotWriter>();
            var session = api.Services.GetRequiredService<MarketCalendar>().GetSession(Monday)!;
            await writer.WriteCloseAsync(session, Ct);
            await writer.WriteCloseAsync(session, Ct);
        }

        var snapshot = Assert.Single(await DailyAsync(api, user.Id));
        Assert.Equal(10 * Close(api, "AAPL", Monday), snapshot.StockValue);
        Assert.Equal(monday["cash"]!["capital_deployed"].Dec(), snapshot.CapitalDeployed);
        Assert.Equal(0m, snapshot.CashProceeds);
    }

    [Fact]
    public async Task Users_who_never_traded_get_no_snapshot()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, ApiOnly);
        var idle = await api.RegisterAsync();
        await api.MoveClockAsync(MondayClose + MarketCloseJob.Delay);

        await RunAsync<MarketCloseJob>(api, MondayClose + MarketCloseJob.Delay);

        Assert.Empty(await DailyAsync(api, idle.Id));
    }

    [Fact]
    public async Task An_intraday_tick_snapshots_at_current_prices_with_spy_and_a_late_tick_is_skipped()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, ApiOnly);
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("NVDA", 3, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var tick = ApiFactory.MondayMorning.AddMinutes(15);
        await api.MoveClockAsync(tick.AddSeconds(5), user);

        var onTime = await RunAsync<IntradaySnapshotJob>(api, tick);
        await api.MoveClockAsync(tick.AddMinutes(20), user);
        // The next tick, run when the clock is already 20 minutes past the first one (5 minutes past the second).
        var late = await RunAsync<IntradaySnapshotJob>(api, tick.AddMinutes(15) - TimeSpan.FromSeconds(1));

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var snapshot = await db.IntradaySnapshots.AsNoTracking().SingleAsync(s => s.UserId == user.Id, Ct);
        var spy = await db.IntradayPrices.AsNoTracking().SingleAsync(p => p.Ticker == "SPY", Ct);
        var simulator = api.Services.GetRequiredService<SimulatedQuoteProvider>();
        Assert.Equal("1 snapshots", onTime);
        Assert.StartsWith("skipped", late);
        Assert.Equal(tick.UtcDateTime, snapshot.At);
        // Priced by the quote fetched when the tick ran (5 s after it; the simulator is minute-stable).
        Assert.Equal(3 * simulator.QuoteAt("NVDA", tick.AddSeconds(5)).Price, snapshot.StockValue);
        Assert.Equal(tick.UtcDateTime, spy.At);
    }

    [Fact]
    public async Task Cleanup_removes_intraday_rows_older_than_fourteen_days_only()
    {
        await using var api = await ApiFactory.StartAsync(new DateTimeOffset(2026, 3, 20, 21, 10, 0, TimeSpan.Zero), ApiOnly);
        var user = await api.RegisterAsync();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            foreach (var days in new[] { 20, 15, 13, 1 })
            {
                var at = new DateTime(2026, 3, 20, 20, 0, 0, DateTimeKind.Utc).AddDays(-days);
                db.IntradaySnapshots.Add(new IntradaySnapshot { UserId = user.Id, At = at, TotalValue = 1, StockValue = 1, CapitalDeployed = 1 });
                db.IntradayPrices.Add(new IntradayPrice { Ticker = "SPY", At = at, Price = 500 });
            }
            await db.SaveChangesAsync(Ct);
        }

        var summary = await RunAsync<CleanupJob>(api, new DateTimeOffset(2026, 3, 20, 21, 10, 0, TimeSpan.Zero));

        await using var check = api.Services.CreateAsyncScope();
        var left = await check.ServiceProvider.GetRequiredService<AppDbContext>().IntradaySnapshots.AsNoTracking().CountAsync(Ct);
        Assert.StartsWith("4 intraday rows", summary);
        Assert.Equal(2, left);
    }

    [Fact]
    public async Task Job_ticks_follow_the_real_close_across_dst_and_early_closes()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, ApiOnly);
        var close = Job<MarketCloseJob>(api);
        var intraday = Job<IntradaySnapshotJob>(api);
        var open = api.Services.GetServices<IScheduledJob>().Single(j => j.Name == "market-open");

        // Friday 6 March 2026 after the close (EST) → Monday 9 March (EDT): 16:02 New York is 20:02 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 20, 2, 0, TimeSpan.Zero), close.NextTick(new DateTimeOffset(2026, 3, 6, 21, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 13, 30, 0, TimeSpan.Zero), open.NextTick(new DateTimeOffset(2026, 3, 6, 21, 30, 0, TimeSpan.Zero)));
        // The day after Thanksgiving closes at 13:00 New York (18:00 UTC): the last intraday tick is the close.
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 18, 2, 0, TimeSpan.Zero), close.NextTick(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.Zero), intraday.NextTick(new DateTimeOffset(2026, 11, 27, 17, 50, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 14, 30, 0, TimeSpan.Zero), intraday.NextTick(new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 15, 0, TimeSpan.Zero), intraday.NextTick(ApiFactory.MondayMorning));
    }

    /// <summary>A job that counts its runs and holds each one open a moment, so racing instances overlap.</summary>
    sealed class CountingJob : IScheduledJob
    {
        public int Runs;
        public string Name => "counting";
        public bool RunsEveryMissedTick => true;
        public DateTimeOffset? NextTick(DateTimeOffset after) => null;
        public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now) => [];

        public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
        {
            Interlocked.Increment(ref Runs);
            await Task.Delay(100, ct);
            return "counted";
        }
    }

    [Fact]
    public async Task A_tick_runs_once_however_many_scheduler_instances_race_for_it()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, ApiOnly);
        var scopes = api.Services.GetRequiredService<IServiceScopeFactory>();
        var instances = Enumerable.Range(0, 4).Select(_ => new JobRunner(scopes, api.Clock, NullLogger<JobRunner>.Instance)).ToList();
        var job = new CountingJob();

        var results = await Task.WhenAll(instances.Select(r => r.RunAsync(job, MondayClose, null, Ct)));
        var again = await instances[0].RunAsync(job, MondayClose, null, Ct);

        Assert.Equal(1, job.Runs);
        Assert.Single(results, r => r is not null);
        Assert.Null(again);
    }

    [Fact]
    public async Task At_start_the_scheduler_catches_up_the_last_five_closes()
    {
        await using var api = await ApiFactory.StartAsync(new DateTimeOffset(2026, 3, 11, 12, 0, 0, TimeSpan.Zero));
        var expected = new[] { 4, 5, 6, 9, 10 }.Select(d => JobRunner.TickKey(
            api.Services.GetRequiredService<MarketCalendar>().GetSession(new DateOnly(2026, 3, d))!.Close + MarketCloseJob.Delay)).ToList();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string> succeeded;
        do
        {
            await Task.Delay(50, Ct);
            await using var scope = api.Services.CreateAsyncScope();
            succeeded = await scope.ServiceProvider.GetRequiredService<AppDbContext>().JobRuns.AsNoTracking()
                .Where(r => r.Job == "market-close" && r.Outcome == "succeeded").Select(r => r.Tick).ToListAsync(Ct);
        }
        while (succeeded.Count < 5 && DateTime.UtcNow < deadline);

        Assert.Equal(expected.Order(), succeeded.Order());
    }
}

public sealed class JobEndpointTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Admins_see_every_job_with_its_next_run_and_can_run_one_now()
    {
        var admin = await api.AdminAsync();

        var started = await (await admin.Client.PostAsync("/admin/jobs/cleanup/run", null, TestContext.Current.CancellationToken))
            .ReadJsonAsync(HttpStatusCode.Accepted);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        System.Text.Json.Nodes.JsonNode? cleanup;
        do
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            var list = System.Text.Json.Nodes.JsonNode.Parse(await (await admin.Client.Get("/admin/jobs")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsArray();
            cleanup = list.Single(j => (string?)j!["name"] == "cleanup");
        }
        while ((string?)cleanup!["last_run"]?["outcome"] != "succeeded" && DateTime.UtcNow < deadline);

        Assert.Equal("running", (string?)started["status"]);
        Assert.Equal((long)started["run_id"]!, (long)cleanup["last_run"]!["id"]!);
        Assert.Equal("succeeded", (string?)cleanup["last_run"]!["outcome"]);
        Assert.Equal("2026-03-02T21:10:00Z", (string?)cleanup["next_run"]);
    }

    [Fact]
    public async Task Running_an_unknown_job_is_404_and_users_are_refused()
    {
        var admin = await api.AdminAsync();
        var user = await api.RegisterAsync();

        await (await admin.Client.PostAsync("/admin/jobs/nope/run", null, TestContext.Current.CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await user.Client.Get("/admin/jobs")).ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}

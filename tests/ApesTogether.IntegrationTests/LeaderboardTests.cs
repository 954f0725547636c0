using System.Net;
using System.Text.Json.Nodes;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Leaderboard;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Features.Snapshots;
using ApesTogether.Api.Features.Trades;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests;

/// <summary>
/// The leaderboard over hand-written snapshots, ledger rows, holdings and company facts, rebuilt by the builder (or the job)
/// and read over HTTP. The clock is Wednesday 4 March 2026 after the close. 1M starts at the close of 4 February; as of the
/// previous trading day's close (3 March) it started at the close of 3 February. Each user gets closes on 3 and 4 February
/// (value 1000), 3 March (the previous return) and 4 March (the return), with capital 1000 throughout: no flows.
/// </summary>
public sealed class LeaderboardTests
{
    static readonly DateTimeOffset WednesdayEvening = Ny(2026, 3, 4, 16, 30);
    static readonly Dictionary<string, string?> ApiOnly = new() { ["Roles"] = "api" };
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_eligible_user_is_ranked_by_return_with_ties_by_id_and_filters_apply_before_ranking_and_paging()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        await InsertAsync(api, Info("LRG1", "Technology", 50_000_000_000m), Info("SML1", "Energy", 1_000_000_000m));
        var users = new List<TestUser>();
        for (var k = 1; k <= 30; k++)
        {
            var user = await api.RegisterAsync();
            users.Add(user);
            // User k returns (31 − k) %, except user 4, who ties with user 3 (28 %); users 25–30 alone hold energy.
            var r = k == 4 ? 28m : 31 - k;
            await SeedAsync(api, user.Id, r, holdings: [Hold(user.Id, k >= 25 ? "SML1" : "LRG1", 1m, 100m)]);
        }
        await RebuildAsync(api);

        var response = await api.CreateAnonymousClient().Get("/api/v1/leaderboard?period=1m");
        var all = await response.ReadJsonAsync(HttpStatusCode.OK);
        var energy = await GetAsync(api, "period=1M&industry=ENERGY,Utilities&limit=10");
        var page2 = await GetAsync(api, "period=1M&limit=5&offset=25");

        Assert.Equal("public, max-age=60", response.Headers.CacheControl?.ToString());
        Assert.Equal("1M", (string?)all["period"]);
        Assert.Equal("all", (string?)all["category"]);
        Assert.Equal(30, (int)all["total"]!);
        Assert.Equal("SPY", (string?)all["benchmark"]!["ticker"]);
        var entries = all["entries"]!.AsArray();
        Assert.Equal(20, entries.Count);
        Assert.Equal(Enumerable.Range(1, 20), entries.Select(e => (int)e!["rank"]!));
        // Users 3 and 4 tie at 28 %: the lower id (user 3) first.
        Assert.Equal(users.Take(20).Select(u => u.Username), entries.Select(e => (string?)e!["username"]));
        Assert.Equal([30m, 29m, 28m, 28m, 26m], entries.Take(5).Select(e => e!["return_pct"].Dec()));
        Assert.Equal([0m, 28m], entries[2]!["sparkline"]!.AsArray().Select(p => p.Dec()).Where((_, i) => i is 0 or 2));

        Assert.Equal(6, (int)energy["total"]!);
        Assert.Equal([1, 2, 3, 4, 5, 6], energy["entries"]!.AsArray().Select(e => (int)e!["rank"]!));
        Assert.Equal(users.Skip(24).Select(u => u.Username), energy["entries"]!.AsArray().Select(e => (string?)e!["username"]));

        Assert.Equal([26, 27, 28, 29, 30], page2["entries"]!.AsArray().Select(e => (int)e!["rank"]!));
    }

    [Fact]
    public async Task Newcomers_deactivated_users_and_agents_are_handled_by_eligibility_and_the_agent_filter()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var veteran = await api.RegisterAsync();
        var newcomer = await api.RegisterAsync();
        var gone = await api.RegisterAsync();
        var agent = await api.RegisterAsync();
        foreach (var user in new[] { veteran, gone, agent })
        {
            // A year and a day of history: 1Y starts at the close of 4 March 2025 (3 March as of yesterday).
            await InsertAsync(api, Daily(user.Id, Close(2025, 3, 3), 1000m), Daily(user.Id, Close(2025, 3, 4), 1000m));
            await SeedAsync(api, user.Id, 10m, previous: 0m);
        }
        await InsertAsync(api, Trade(newcomer.Id, Ny(2026, 3, 3, 10, 0), 1000m), Daily(newcomer.Id, Close(2026, 3, 3), 1000m));
        foreach (var user in new[] { veteran, newcomer, gone, agent })
            await InsertAsync(api, Intraday(user.Id, Ny(2026, 3, 4, 16, 0), 1050m));
        await UpdateUsersAsync(api, db => db.Users.Where(u => u.Id == gone.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeactivatedAt, DateTime.UtcNow), Ct));
        await UpdateUsersAsync(api, db => db.Users.Where(u => u.Id == agent.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAgent, true), Ct));
        await RebuildAsync(api);

        var year = await GetAsync(api, "period=1Y");
        var yearHumans = await GetAsync(api, "period=1Y&include_agents=false");
        var day = await GetAsync(api, "period=1D");

        Assert.Equal([veteran.Username, agent.Username], Names(year));
        Assert.True((bool)year["entries"]![1]!["is_agent"]!);
        Assert.Equal([veteran.Username], Names(yearHumans));
        Assert.Equal(1, (int)yearHumans["total"]!);
        // 1D: 1000 at Tuesday's close → 1050 at Wednesday's close = 5 % for all three active users, ties by id.
        Assert.Equal([veteran.Username, newcomer.Username, agent.Username], Names(day));
        Assert.All(day["entries"]!.AsArray(), e => Assert.Equal(5m, e!["return_pct"].Dec()));
        Assert.DoesNotContain(gone.Username, Names(day));
    }

    [Fact]
    public async Task Categories_follow_market_cap_weights_and_unknown_caps_are_left_out()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        await InsertAsync(api, Info("LRG1", "Technology", 50_000_000_000m), Info("SML1", "Energy", 2_000_000_000m),
            Close("LRG1", new DateOnly(2026, 3, 4), 100m));
        var large = await api.RegisterAsync();
        var small = await api.RegisterAsync();
        var mixed = await api.RegisterAsync();
        var unknown = await api.RegisterAsync();
        var largePlusUnknown = await api.RegisterAsync();
        // LRG1 is valued at its close (100), SML1 at its average cost; UNKN has no facts at all.
        await SeedAsync(api, large.Id, 5m, [Hold(large.Id, "LRG1", 1m, 50m)]);
        await SeedAsync(api, small.Id, 4m, [Hold(small.Id, "SML1", 1m, 100m)]);
        // 300 large, 700 small: 30 % large → small cap.
        await SeedAsync(api, mixed.Id, 3m, [Hold(mixed.Id, "LRG1", 3m, 10m), Hold(mixed.Id, "SML1", 7m, 100m)]);
        await SeedAsync(api, unknown.Id, 2m, [Hold(unknown.Id, "UNKN", 10m, 100m)]);
        // 600 large and 10,000 of unknown cap: the unknown part is left out of the weights, so 100 % of what is known is large.
        await SeedAsync(api, largePlusUnknown.Id, 1m, [Hold(largePlusUnknown.Id, "LRG1", 6m, 1m), Hold(largePlusUnknown.Id, "UNKN", 100m, 100m)]);
        await RebuildAsync(api);

        var all = await GetAsync(api, "period=1M&category=all");
        var largeCap = await GetAsync(api, "period=1M&category=LARGE_CAP");
        var smallCap = await GetAsync(api, "period=1M&category=small_cap");

        Assert.Equal([large.Username, small.Username, mixed.Username, unknown.Username, largePlusUnknown.Username], Names(all));
        Assert.Equal("large_cap", (string?)largeCap["category"]);
        Assert.Equal([large.Username, largePlusUnknown.Username], Names(largeCap));
        Assert.Equal([1, 2], largeCap["entries"]!.AsArray().Select(e => (int)e!["rank"]!));
        Assert.Equal([small.Username, mixed.Username], Names(smallCap));
        await using var scope = api.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<AppDbContext>().LeaderboardEntries.AsNoTracking()
            .Where(e => e.Period == "1M").ToDictionaryAsync(e => e.UserId, Ct);
        Assert.Equal(-1m, stored[unknown.Id].LargeCapPct);
        Assert.Equal(30m, stored[mixed.Id].LargeCapPct);
        Assert.Equal("Energy|Technology", stored[mixed.Id].Sectors);
    }

    [Fact]
    public async Task Frequency_uses_trades_in_the_last_30_days_per_week_and_the_job_can_be_run_by_an_operator()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var dayTrader = await api.RegisterAsync();
        var moderate = await api.RegisterAsync();
        var idle = await api.RegisterAsync();
        await SeedAsync(api, dayTrader.Id, 3m);
        await SeedAsync(api, moderate.Id, 2m);
        await SeedAsync(api, idle.Id, 1m);
        // 22 trades in the 30 days → 22 / 30 × 7 = 5.1333 a week; 3 → 0.7; the idle user's only trade is older.
        await InsertAsync(api, Enumerable.Range(0, 22).Select(k => Trade(dayTrader.Id, Ny(2026, 2, 10, 10, 0).AddHours(k), 1000m)));
        await InsertAsync(api, Enumerable.Range(0, 3).Select(k => Trade(moderate.Id, Ny(2026, 2, 10, 10, 0).AddHours(k), 1000m)));
        var admin = await api.AdminAsync();

        var run = await admin.Client.PostJsonAsync("/admin/jobs/leaderboard/run", new { });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        JsonObject any;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(100, Ct);
            any = await GetAsync(api, "period=1M&frequency=any");
        } while (any["as_of"] is null && waited.Elapsed < TimeSpan.FromSeconds(30));
        var dayTraders = await GetAsync(api, "period=1M&frequency=day_trader");
        var moderates = await GetAsync(api, "period=1M&frequency=Moderate");

        Assert.Equal(3, (int)any["total"]!);
        Assert.Equal([5.1333m, 0.7m, 0m], any["entries"]!.AsArray().Select(e => e!["avg_trades_per_week"].Dec()));
        Assert.Equal([dayTrader.Username], Names(dayTraders));
        Assert.Equal([moderate.Username], Names(moderates));
        Assert.Equal(1, (int)moderates["entries"]![0]!["rank"]!);
    }

    [Fact]
    public async Task Rank_change_compares_with_the_ranking_at_the_previous_trading_days_close()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var x = await api.RegisterAsync();
        var y = await api.RegisterAsync();
        var z = await api.RegisterAsync();
        var late = await api.RegisterAsync();
        // Yesterday: x 10 %, y 5 %, z 1 % (ranks 1, 2, 3). Today: z 20 %, y 8 %, x 0 %.
        await SeedAsync(api, x.Id, 0m, previous: 10m);
        await SeedAsync(api, y.Id, 8m, previous: 5m);
        await SeedAsync(api, z.Id, 20m, previous: 1m);
        // First close on 4 February: it covers today's 1M window but not yesterday's (from 3 February), so no previous rank.
        await InsertAsync(api, Trade(late.Id, Ny(2026, 2, 4, 10, 0), 1000m), Daily(late.Id, Close(2026, 2, 4), 1000m),
            Daily(late.Id, Close(2026, 3, 3), 1100m), Daily(late.Id, Close(2026, 3, 4), 1150m));
        await RebuildAsync(api);

        var board = await GetAsync(api, "period=1M");

        Assert.Equal([z.Username, late.Username, y.Username, x.Username], Names(board));
        var changes = board["entries"]!.AsArray().Select(e => (int?)e!["rank_change"]).ToList();
        Assert.Equal([2, null, -1, -3], changes);
    }

    [Fact]
    public async Task A_long_history_gives_a_sparkline_of_at_most_150_points_and_alpha_against_spy()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        var calendar = api.Services.GetRequiredService<MarketCalendar>();
        var sessions = new List<TradingSession>();
        for (var s = calendar.GetSession(new DateOnly(2026, 3, 4))!; sessions.Count < 300; s = calendar.PreviousSession(s.Date))
            sessions.Add(s);
        sessions.Reverse();
        var rows = new List<object> { Trade(user.Id, sessions[0].Open.AddHours(1), 1000m) };
        // Up 0.1 % a session with SPY flat: alpha equals the return.
        rows.AddRange(sessions.Select((s, k) => (object)Daily(user.Id, s.Close, decimal.Round(1000m * (1m + 0.001m * k), 4))));
        rows.AddRange(sessions.Select(s => (object)Close("SPY", s.Date, 500m)));
        await InsertAsync(api, rows);
        await RebuildAsync(api);

        var max = await GetAsync(api, "period=MAX");
        var month = await GetAsync(api, "period=1M");

        var entry = max["entries"]![0]!;
        var sparkline = entry["sparkline"]!.AsArray().Select(p => p.Dec()).ToList();
        Assert.Equal(150, sparkline.Count);
        Assert.Equal(0m, sparkline[0]);
        Assert.Equal(entry["return_pct"].Dec(), sparkline[^1]);
        Assert.Equal(29.9m, entry["return_pct"].Dec());
        Assert.Equal(29.9m, entry["alpha_pct"].Dec());
        Assert.Equal(0m, max["benchmark"]!["return_pct"].Dec());
        Assert.Equal(0m, entry["max_drawdown_pct"].Dec());
        Assert.NotNull(entry["volatility_pct"]);
        Assert.Equal(0, (int)entry["subscriber_count"]!);
        Assert.Equal(1, (int)month["total"]!);
    }

    [Fact]
    public async Task Short_periods_have_no_risk_figures()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        await InsertAsync(api, Trade(user.Id, Ny(2026, 3, 3, 10, 0), 1000m), Daily(user.Id, Close(2026, 3, 3), 1000m),
            Intraday(user.Id, Ny(2026, 3, 4, 12, 0), 1020m), Intraday(user.Id, Ny(2026, 3, 4, 16, 0), 1010m));
        await RebuildAsync(api, [Period.OneDay]);

        var day = await GetAsync(api, "period=1d");
        var week = await GetAsync(api, "");

        var entry = day["entries"]![0]!;
        Assert.Equal(1m, entry["return_pct"].Dec());
        Assert.Null(entry["max_drawdown_pct"]);
        Assert.Null(entry["volatility_pct"]);
        Assert.Equal([0m, 2m, 1m], entry["sparkline"]!.AsArray().Select(p => p.Dec()));
        // 7D was never built: an empty board, not an error.
        Assert.Equal("7D", (string?)week["period"]);
        Assert.Equal(0, (int)week["total"]!);
        Assert.Null(week["as_of"]);
    }

    [Theory]
    [InlineData("period=2W", "invalid_period", null)]
    [InlineData("period=", "invalid_period", null)]
    [InlineData("limit=0", "validation_failed", "limit")]
    [InlineData("limit=101", "validation_failed", "limit")]
    [InlineData("limit=ten", "validation_failed", "limit")]
    [InlineData("offset=-1", "validation_failed", "offset")]
    [InlineData("category=mid_cap", "validation_failed", "category")]
    [InlineData("frequency=sometimes", "validation_failed", "frequency")]
    [InlineData("include_agents=maybe", "validation_failed", "include_agents")]
    public async Task Bad_parameters_are_400(string query, string code, string? field)
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);

        var problem = await api.CreateAnonymousClient().Get("/api/v1/leaderboard?" + query)
            .ContinueWith(t => t.Result.ReadProblemAsync(HttpStatusCode.BadRequest, code), Ct).Unwrap();

        if (field is not null)
            Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task Subscriber_count_counts_subscriptions_with_access_only_in_one_rebuild()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var popular = await api.RegisterAsync();
        var lonely = await api.RegisterAsync();
        await SeedAsync(api, popular.Id, 5m);
        await SeedAsync(api, lonely.Id, 3m);
        var fans = new List<TestUser>();
        for (var k = 0; k < 4; k++)
            fans.Add(await api.RegisterAsync());
        foreach (var fan in fans.Take(3))
            await (await fan.Client.PostJsonAsync("/api/v1/subscriptions", new { username = popular.Username })).ReadJsonAsync(HttpStatusCode.Created);
        var canceled = await (await fans[3].Client.PostJsonAsync("/api/v1/subscriptions", new { username = popular.Username }))
            .ReadJsonAsync(HttpStatusCode.Created);
        await (await fans[3].Client.DeleteAsync($"/api/v1/subscriptions/{(long)canceled["id"]!}", Ct)).ReadJsonAsync(HttpStatusCode.OK);
        var now = api.Clock.GetUtcNow().UtcDateTime;
        // Neither an expired row nor an active one whose period ended (not yet swept) counts.
        await InsertAsync(api,
            new ApesTogether.Api.Features.Subscriptions.Subscription
            {
                SubscriberUserId = fans[0].Id, CreatorUserId = lonely.Id, Tier = "monthly", Price = 9m, Status = "expired",
                StartedAt = now.AddMonths(-2), CurrentPeriodEnd = now.AddMonths(-1),
            },
            new ApesTogether.Api.Features.Subscriptions.Subscription
            {
                SubscriberUserId = fans[1].Id, CreatorUserId = lonely.Id, Tier = "monthly", Price = 9m, Status = "active",
                StartedAt = now.AddMonths(-1).AddDays(-1), CurrentPeriodEnd = now.AddDays(-1),
            });
        await RebuildAsync(api);

        var board = await GetAsync(api, "period=1M");

        Assert.Equal([popular.Username, lonely.Username], Names(board));
        Assert.Equal([4, 0], board["entries"]!.AsArray().Select(e => (int)e!["subscriber_count"]!));
    }

    [Fact]
    public async Task A_trade_event_updates_the_traders_frequency_and_holdings_mix_on_the_board_before_the_next_rebuild()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        await InsertAsync(api, Info("LRG1", "Technology", 50_000_000_000m));
        var trader = await api.RegisterAsync();
        var newcomer = await api.RegisterAsync();
        await SeedAsync(api, trader.Id, 2m);
        await RebuildAsync(api);
        var before = await GetAsync(api, "period=1M&frequency=moderate");
        // Three trades this week and a new large-cap Technology holding, then the trade_executed event of the last one.
        await InsertAsync(api, Enumerable.Range(0, 3).Select(k => Trade(trader.Id, Ny(2026, 3, 2, 10, 0).AddDays(k), 1000m)));
        await InsertAsync(api, Hold(trader.Id, "LRG1", 2m, 100m), Hold(newcomer.Id, "LRG1", 1m, 100m));
        var hook = api.Services.GetServices<Api.Features.Events.IEventConsumer>().Single(c => c.Name == "leaderboard");
        var runner = api.Services.GetRequiredService<Api.Features.Events.EventConsumerRunner>();
        Api.Features.Events.TradeExecuted Event(long userId) => new(Guid.NewGuid(), 1, userId, "LRG1", TradeAction.Buy, 2m, 100m, 200m,
            WednesdayEvening.UtcDateTime, null);

        await runner.RunAsync(hook, Event(trader.Id), Ct);
        await runner.RunAsync(hook, Event(newcomer.Id), Ct);

        var stored = await api.WithDbAsync(db => db.LeaderboardEntries.AsNoTracking().ToListAsync(Ct));
        Assert.Empty(before["entries"]!.AsArray());
        Assert.Contains(stored, e => e.Period == "1M");
        Assert.All(stored, e => Assert.Equal((trader.Id, 0.7m, 100m, "Technology"), (e.UserId, e.AvgTradesPerWeek, e.LargeCapPct, e.Sectors)));
        // The board is served from its cache for 60 s; after that the filters see the trade.
        api.Clock.Advance(LeaderboardCache.Lifetime);
        var after = await GetAsync(api, "period=1M&frequency=moderate&industry=Technology&category=large_cap");
        Assert.Equal([trader.Username], Names(after));
    }

    static async Task RebuildAsync(ApiFactory api, IReadOnlyCollection<Period>? periods = null)
    {
        await using var scope = api.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<LeaderboardBuilder>().RebuildAsync(periods ?? PeriodNames.All, Ct);
    }

    static async Task<JsonObject> GetAsync(ApiFactory api, string query) =>
        await (await api.CreateAnonymousClient().Get("/api/v1/leaderboard?" + query)).ReadJsonAsync(HttpStatusCode.OK);

    static List<string?> Names(JsonObject board) => [.. board["entries"]!.AsArray().Select(e => (string?)e!["username"])];

    /// <summary>A user's first trade, closes on 3 and 4 February at 1000, 3 March at the previous return, 4 March at the return.</summary>
    static Task SeedAsync(ApiFactory api, long userId, decimal returnPct, IEnumerable<Holding>? holdings = null, decimal? previous = null)
    {
        var rows = new List<object>
        {
            Trade(userId, Ny(2026, 1, 30, 10, 0), 1000m),
            Daily(userId, Close(2026, 2, 3), 1000m),
            Daily(userId, Close(2026, 2, 4), 1000m),
            Daily(userId, Close(2026, 3, 3), 1000m * (1m + (previous ?? returnPct) / 100m)),
            Daily(userId, Close(2026, 3, 4), 1000m * (1m + returnPct / 100m)),
        };
        rows.AddRange(holdings ?? []);
        return InsertAsync(api, rows);
    }

    static async Task InsertAsync(ApiFactory api, params IEnumerable<object> rows)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.AddRange(rows);
        await db.SaveChangesAsync(Ct);
    }

    static async Task UpdateUsersAsync(ApiFactory api, Func<AppDbContext, Task<int>> update)
    {
        await using var scope = api.Services.CreateAsyncScope();
        await update(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    static DateTimeOffset Ny(int year, int month, int day, int hour, int minute) =>
        MarketCalendar.EasternToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    static DateTimeOffset Close(int year, int month, int day) => Ny(year, month, day, 16, 0);

    static DailySnapshot Daily(long userId, DateTimeOffset at, decimal value) => new()
    {
        UserId = userId,
        Date = MarketCalendar.ExchangeDate(at),
        At = at.UtcDateTime,
        TotalValue = value,
        StockValue = value,
        CashProceeds = 0m,
        CapitalDeployed = 1000m,
    };

    static IntradaySnapshot Intraday(long userId, DateTimeOffset at, decimal value) => new()
    {
        UserId = userId,
        At = at.UtcDateTime,
        TotalValue = value,
        StockValue = value,
        CashProceeds = 0m,
        CapitalDeployed = 1000m,
    };

    static StockTransaction Trade(long userId, DateTimeOffset at, decimal capitalAfter) => new()
    {
        UserId = userId,
        Ticker = "AAPL",
        Action = TradeAction.Buy,
        Quantity = 1m,
        Price = 100m,
        Total = 100m,
        ExecutedAt = at.UtcDateTime,
        PriceSource = "test",
        MarketSession = "regular",
        CapitalDeployedAfter = capitalAfter,
        CashProceedsAfter = 0m,
    };

    static Holding Hold(long userId, string ticker, decimal quantity, decimal averageCost) => new()
    {
        UserId = userId,
        Ticker = ticker,
        Quantity = quantity,
        AverageCost = averageCost,
        OpenedAt = DateTime.UnixEpoch,
        UpdatedAt = DateTime.UnixEpoch,
    };

    static StockInfoRow Info(string ticker, string sector, decimal cap) => new()
    {
        Ticker = ticker,
        Name = ticker,
        Sector = sector,
        MarketCapitalization = cap,
        Source = "test",
        UpdatedAt = DateTime.UnixEpoch,
    };

    static DailyPrice Close(string ticker, DateOnly date, decimal close) => new()
    {
        Ticker = ticker,
        Date = date,
        Close = close,
        Source = "test",
        RecordedAt = DateTime.UnixEpoch,
    };
}

using System.Net;
using System.Text.Json.Nodes;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Snapshots;
using ApesTogether.Api.Features.Trades;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests;

/// <summary>
/// The chart and the public portfolio's performance over hand-written snapshots, ledger rows and SPY prices. Each test
/// runs its own service (and database), so SPY rows, unique per date and instant, never collide. The arithmetic is in
/// the comments; the session is 09:30–16:00 New York = 390 minutes.
/// </summary>
public sealed class PerformanceTests
{
    /// <summary>Wednesday 4 March 2026, 16:30 New York (EST, 21:30Z): after the close.</summary>
    static readonly DateTimeOffset WednesdayEvening = Ny(2026, 3, 4, 16, 30);

    /// <summary>The API role alone: no price refresher or snapshot job writes SPY closes or snapshots behind the test's back.</summary>
    static readonly Dictionary<string, string?> ApiOnly = new() { ["Roles"] = "api" };

    [Fact]
    public async Task A_day_without_trades_returns_the_value_change_from_the_previous_close()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        // 1D starts at Tuesday's close. The intraday row at that same close is dropped for the daily one.
        await InsertAsync(api,
            Daily(user.Id, Close(2026, 3, 3), 1000m, 1000m),
            Intraday(user.Id, Close(2026, 3, 3), 1000m, 1000m),
            Intraday(user.Id, Ny(2026, 3, 4, 9, 30), 1010m, 1000m),
            Intraday(user.Id, Ny(2026, 3, 4, 12, 0), 990m, 1000m),
            Intraday(user.Id, Ny(2026, 3, 4, 16, 0), 1050m, 1000m),
            SpyClose(new DateOnly(2026, 3, 3), 500m),
            SpyAt(Ny(2026, 3, 4, 9, 30), 505m),
            SpyAt(Ny(2026, 3, 4, 16, 0), 510m));

        var chart = await ChartAsync(api, user.Username, "1D");

        // No flows: each point is value / 1000 − 1 → 0, 1 %, −1 %, 5 %.
        // SPY from 500: 0, 505/500 − 1 = 1 %, no price at 12:00 so 505 is carried (1 %), 510/500 − 1 = 2 %.
        Assert.Equal("1D", (string?)chart["period"]);
        Assert.Equal(5m, chart["return_pct"].Dec());
        Assert.Equal("SPY", (string?)chart["benchmark"]!["ticker"]);
        Assert.Equal(2m, chart["benchmark"]!["return_pct"].Dec());
        var points = chart["points"]!.AsArray();
        Assert.Equal(
            [Close(2026, 3, 3), Ny(2026, 3, 4, 9, 30), Ny(2026, 3, 4, 12, 0), Ny(2026, 3, 4, 16, 0)],
            points.Select(p => DateTimeOffset.Parse((string)p!["t"]!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([0m, 1m, -1m, 5m], points.Select(p => p!["return_pct"].Dec()));
        Assert.Equal([0m, 1m, 1m, 2m], points.Select(p => p!["benchmark_return_pct"].Dec()));
    }

    [Fact]
    public async Task New_money_mid_session_counts_for_the_session_time_it_was_invested()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        await InsertAsync(api,
            Trade(user.Id, Ny(2026, 3, 2, 10, 0), capitalAfter: 1000m),
            Daily(user.Id, Close(2026, 3, 2), 1000m, 1000m),
            // 500 more at 12:45 Tuesday: 195 of the session's 390 minutes are left, weight 0.5.
            Trade(user.Id, Ny(2026, 3, 3, 12, 45), capitalAfter: 1500m),
            Daily(user.Id, Close(2026, 3, 3), 1600m, 1500m));

        var chart = await ChartAsync(api, user.Username, "1M");

        // r = (1600 − 1000 − 500) / (1000 + 0.5 × 500) = 100 / 1250 = 8 %
        // (weight 1 would give 100/1500 = 6.6667 %, weight 0 would give 10 %).
        Assert.Equal("1M", (string?)chart["period"]);
        Assert.Equal(8m, chart["return_pct"].Dec());
        Assert.Equal([0m, 8m], chart["points"]!.AsArray().Select(p => p!["return_pct"].Dec()));
    }

    [Fact]
    public async Task Selling_and_buying_again_from_the_proceeds_is_no_flow()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        await InsertAsync(api,
            Trade(user.Id, Ny(2026, 3, 2, 10, 0), capitalAfter: 1000m),
            Daily(user.Id, Close(2026, 3, 2), 1000m, 1000m),
            // Sell 600 and buy again with the proceeds: capital deployed stays 1000, so no new money.
            Trade(user.Id, Ny(2026, 3, 3, 11, 0), capitalAfter: 1000m, TradeAction.Sell),
            Trade(user.Id, Ny(2026, 3, 3, 11, 30), capitalAfter: 1000m),
            Daily(user.Id, Close(2026, 3, 3), 1100m, 1000m));

        var chart = await ChartAsync(api, user.Username, "1m");

        // r = (1100 − 1000 − 0) / 1000 = 10 %; a 600 flow would have changed the denominator.
        Assert.Equal("1M", (string?)chart["period"]);
        Assert.Equal(10m, chart["return_pct"].Dec());
    }

    [Fact]
    public async Task A_holiday_inside_the_window_adds_no_session_time()
    {
        // Wednesday 18 February 2026; Monday 16 February was Washington's Birthday.
        await using var api = await ApiFactory.StartAsync(Ny(2026, 2, 18, 16, 30), ApiOnly);
        var user = await api.RegisterAsync();
        await InsertAsync(api,
            Trade(user.Id, Ny(2026, 2, 12, 10, 0), capitalAfter: 1000m),
            Daily(user.Id, Close(2026, 2, 12), 1000m, 1000m),
            Daily(user.Id, Close(2026, 2, 13), 1000m, 1000m),
            // Friday's close → Tuesday's close holds one session (the holiday and the weekend hold none): 390 minutes.
            // 500 at 12:45 Tuesday has 195 left: weight 0.5 (0.25 if the holiday counted as a session).
            Trade(user.Id, Ny(2026, 2, 17, 12, 45), capitalAfter: 1500m),
            Daily(user.Id, Close(2026, 2, 17), 1600m, 1500m));

        var chart = await ChartAsync(api, user.Username, "1M");

        // Thursday → Friday: 0. Friday → Tuesday: (1600 − 1000 − 500) / (1000 + 0.5 × 500) = 8 % (8.8889 % at 0.25).
        Assert.Equal(8m, chart["return_pct"].Dec());
        Assert.Equal([0m, 0m, 8m], chart["points"]!.AsArray().Select(p => p!["return_pct"].Dec()));
    }

    [Fact]
    public async Task A_user_who_joined_mid_period_is_measured_from_the_first_snapshot()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        // 3M starts at the close of 4 December 2025; the user's first close is 2 March 2026.
        await InsertAsync(api,
            Trade(user.Id, Ny(2026, 3, 2, 10, 0), capitalAfter: 1000m),
            Daily(user.Id, Close(2026, 3, 2), 1000m, 1000m),
            Daily(user.Id, Close(2026, 3, 3), 1020m, 1000m),
            SpyClose(new DateOnly(2025, 12, 4), 400m),
            SpyClose(new DateOnly(2026, 3, 2), 450m),
            SpyClose(new DateOnly(2026, 3, 3), 454.5m));

        var chart = await ChartAsync(api, user.Username, "3M");

        // 1020 / 1000 − 1 = 2 %. SPY over the same instants: 454.5 / 450 − 1 = 1 % (not 454.5 / 400 over the window).
        Assert.Equal(2m, chart["return_pct"].Dec());
        Assert.Equal(1m, chart["benchmark"]!["return_pct"].Dec());
        var first = chart["points"]!.AsArray()[0]!;
        Assert.Equal(Close(2026, 3, 2), DateTimeOffset.Parse((string)first["t"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0m, first["return_pct"].Dec());
    }

    [Fact]
    public async Task The_spy_line_starts_at_the_users_first_point_and_carries_a_missing_close()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        await InsertAsync(api,
            Trade(user.Id, Ny(2026, 2, 27, 10, 0), capitalAfter: 1000m),
            Daily(user.Id, Close(2026, 2, 27), 1000m, 1000m),
            Daily(user.Id, Close(2026, 3, 2), 1030m, 1000m),
            Daily(user.Id, Close(2026, 3, 3), 1010m, 1000m),
            SpyClose(new DateOnly(2026, 2, 26), 300m),
            SpyClose(new DateOnly(2026, 2, 27), 400m),
            SpyClose(new DateOnly(2026, 3, 3), 440m));

        var chart = await ChartAsync(api, user.Username, "1M");

        // SPY from Friday's 400 (Thursday's 300 is before the user's first point): 0; Monday has no close, 400 is
        // carried: 0; Tuesday 440 / 400 − 1 = 10 %. The portfolio: 0, 3 %, 1 %.
        var points = chart["points"]!.AsArray();
        Assert.Equal([0m, 0m, 10m], points.Select(p => p!["benchmark_return_pct"].Dec()));
        Assert.Equal([0m, 3m, 1m], points.Select(p => p!["return_pct"].Dec()));
        Assert.Equal(10m, chart["benchmark"]!["return_pct"].Dec());
        Assert.Equal(1m, chart["return_pct"].Dec());
    }

    [Fact]
    public async Task A_year_of_closes_is_thinned_to_150_points_keeping_both_ends()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        var calendar = api.Services.GetRequiredService<MarketCalendar>();
        // 1Y starts at the close of 4 March 2025; one close a session from there to 4 March 2026, value 1000 + k.
        var sessions = calendar.GetSessions(new DateOnly(2025, 3, 4), new DateOnly(2026, 3, 4));
        await InsertAsync(api, [
            Trade(user.Id, sessions[0].Open, capitalAfter: 1000m),
            .. sessions.Select((s, k) => Daily(user.Id, s.Close, 1000m + k, 1000m))]);

        var chart = await ChartAsync(api, user.Username, "1Y");

        // No flows, so the return is the last value over the first: (1000 + n − 1) / 1000 − 1.
        var expected = decimal.Round((sessions.Count - 1) / 1000m * 100m, 4);
        Assert.True(sessions.Count > 150, $"{sessions.Count} sessions");
        Assert.Equal(expected, chart["return_pct"].Dec());
        var points = chart["points"]!.AsArray();
        Assert.Equal(150, points.Count);
        var instants = points.Select(p => DateTimeOffset.Parse((string)p!["t"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(sessions[0].Close, instants[0]);
        Assert.Equal(sessions[^1].Close, instants[^1]);
        Assert.Equal(instants.Order(), instants);
        Assert.Equal(expected, points[^1]!["return_pct"].Dec());
    }

    [Fact]
    public async Task The_chart_refuses_an_unknown_period_and_an_unknown_user()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();
        var client = api.CreateAnonymousClient();

        await (await client.Get($"/api/v1/portfolio/{user.Username}/chart?period=2W")).ReadProblemAsync(HttpStatusCode.BadRequest, "invalid_period");
        await (await client.Get($"/api/v1/portfolio/{user.Username}/chart?period=")).ReadProblemAsync(HttpStatusCode.BadRequest, "invalid_period");
        await (await client.Get("/api/v1/portfolio/nobody_here/chart?period=1D")).ReadProblemAsync(HttpStatusCode.NotFound, "user_not_found");
    }

    [Fact]
    public async Task Without_a_period_the_chart_is_7D_and_without_snapshots_it_has_no_return()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening, ApiOnly);
        var user = await api.RegisterAsync();

        var chart = await ChartAsync(api, user.Username, null);

        Assert.Equal("7D", (string?)chart["period"]);
        Assert.Null(chart["return_pct"]);
        Assert.Null(chart["benchmark"]!["return_pct"]);
        Assert.Empty(chart["points"]!.AsArray());
    }

    [Fact]
    public async Task The_public_portfolio_shows_every_period_since_inception_and_the_1Y_risk()
    {
        await using var api = await ApiFactory.StartAsync(WednesdayEvening,
            new Dictionary<string, string?>(ApiOnly) { ["Performance:RiskFreeRate"] = "0.0252" });
        var user = await api.RegisterAsync();
        var newcomer = await api.RegisterAsync();
        await InsertAsync(api,
            Trade(user.Id, Ny(2026, 3, 2, 10, 0), capitalAfter: 1000m),
            Daily(user.Id, Close(2026, 3, 2), 1000m, 1000m),
            Daily(user.Id, Close(2026, 3, 3), 1100m, 1000m),
            Daily(user.Id, Close(2026, 3, 4), 1045m, 1000m),
            Intraday(user.Id, Close(2026, 3, 2), 1000m, 1000m),
            Intraday(user.Id, Close(2026, 3, 3), 1100m, 1000m),
            Intraday(user.Id, Ny(2026, 3, 4, 9, 30), 1050m, 1000m),
            Intraday(user.Id, Close(2026, 3, 4), 1045m, 1000m),
            SpyClose(new DateOnly(2026, 3, 2), 500m),
            SpyClose(new DateOnly(2026, 3, 3), 505m),
            SpyClose(new DateOnly(2026, 3, 4), 510m));

        var body = await (await api.CreateAnonymousClient().Get($"/api/v1/portfolio/public/{user.Username}")).ReadJsonAsync(HttpStatusCode.OK);

        // 1D: from Tuesday's close 1100 to 1045: −5 %. 5D and 7D start at the close of Wednesday 25 February, before
        // the first snapshot, so they chain the intraday rows: 1000 → 1100 → 1050 → 1045 = 4.5 %.
        // 1M and longer chain the closes: 1.10 × 0.95 − 1 = 4.5 %.
        var performance = body["performance"]!.AsObject();
        Assert.Equal(-5m, performance["1d"].Dec());
        foreach (var key in new[] { "5d", "7d", "1m", "3m", "ytd", "1y", "max" })
            Assert.Equal(4.5m, performance[key].Dec());
        // (1045 − 1000) / 1000.
        Assert.Equal(4.5m, body["since_inception_pct"].Dec());
        // Daily returns 10 % and −5 %: mean 2.5 %, sample variance (0.075² × 2) / 1 = 0.01125, sd 0.1060660.
        // Volatility 0.1060660 × √252 = 168.3746 %. Drawdown from the 1.10 peak to 1.045: 5 %.
        // Sharpe (0.025 − 0.0252/252) / 0.1060660 × √252 = 3.7267. Alpha 4.5 % − SPY (510/500 − 1 = 2 %) = 2.5 %.
        var risk = body["risk"]!;
        Assert.Equal(168.3746m, risk["volatility_pct"].Dec());
        Assert.Equal(5m, risk["max_drawdown_pct"].Dec());
        Assert.Equal(3.7267m, risk["sharpe_ratio"].Dec());
        Assert.Equal(2.5m, risk["alpha_pct"].Dec());

        var empty = await (await api.CreateAnonymousClient().Get($"/api/v1/portfolio/public/{newcomer.Username}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.All(empty["performance"]!.AsObject(), p => Assert.Null(p.Value));
        Assert.Equal(8, empty["performance"]!.AsObject().Count);
        Assert.Null(empty["since_inception_pct"]);
        Assert.All(empty["risk"]!.AsObject(), r => Assert.Null(r.Value));
    }

    static async Task<JsonObject> ChartAsync(ApiFactory api, string username, string? period)
    {
        var query = period is null ? "" : $"?period={period}";
        return await (await api.CreateAnonymousClient().Get($"/api/v1/portfolio/{username}/chart{query}")).ReadJsonAsync(HttpStatusCode.OK);
    }

    static async Task InsertAsync(ApiFactory api, params IEnumerable<object> rows)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.AddRange(rows);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    static DateTimeOffset Ny(int year, int month, int day, int hour, int minute) =>
        MarketCalendar.EasternToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    static DateTimeOffset Close(int year, int month, int day) => Ny(year, month, day, 16, 0);

    static DailySnapshot Daily(long userId, DateTimeOffset at, decimal value, decimal capital) => new()
    {
        UserId = userId,
        Date = MarketCalendar.ExchangeDate(at),
        At = at.UtcDateTime,
        TotalValue = value,
        StockValue = value,
        CashProceeds = 0m,
        CapitalDeployed = capital,
    };

    static IntradaySnapshot Intraday(long userId, DateTimeOffset at, decimal value, decimal capital) => new()
    {
        UserId = userId,
        At = at.UtcDateTime,
        TotalValue = value,
        StockValue = value,
        CashProceeds = 0m,
        CapitalDeployed = capital,
    };

    static StockTransaction Trade(long userId, DateTimeOffset at, decimal capitalAfter, TradeAction action = TradeAction.Buy) => new()
    {
        UserId = userId,
        Ticker = "AAPL",
        Action = action,
        Quantity = 1m,
        Price = 100m,
        Total = 100m,
        ExecutedAt = at.UtcDateTime,
        PriceSource = "test",
        MarketSession = "regular",
        CapitalDeployedAfter = capitalAfter,
        CashProceedsAfter = 0m,
    };

    static DailyPrice SpyClose(DateOnly date, decimal close) => new()
    {
        Ticker = "SPY",
        Date = date,
        Close = close,
        Source = "test",
        RecordedAt = DateTime.UnixEpoch,
    };

    static IntradayPrice SpyAt(DateTimeOffset at, decimal price) => new() { Ticker = "SPY", At = at.UtcDateTime, Price = price };
}

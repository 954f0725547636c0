using System.Net;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Scheduling;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests.MarketData;

public sealed class PriceRefreshTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_session_the_refresher_asks_for_held_symbols_most_held_first_plus_spy_in_one_bulk_call()
    {
        await using var vendor = await FakeVendorServer.StartAsync(Ct);
        foreach (var (ticker, price) in new[] { ("SPY", 600m), ("AAPL", 200m), ("MSFT", 400m) })
        {
            vendor.SetQuote(ticker, price, price - 1m, price - 2m);
        }
        await using var api = await ApiFactory.StartAsync(FakeVendorServer.DefaultQuoteTime, AlphaVantageSettings(vendor));
        foreach (var (ticker, holders) in new[] { ("MSFT", 1), ("AAPL", 2) })
        {
            for (var i = 0; i < holders; i++)
            {
                await (await (await api.RegisterAsync()).TradeAsync(ticker, 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
            }
        }
        vendor.ClearRequests();

        await RunRefresherAsync(api);

        var call = Assert.Single(vendor.Requests, r => r.Path == "/query");
        Assert.Equal("REALTIME_BULK_QUOTES", call["function"]);
        Assert.Equal("SPY,AAPL,MSFT", call["symbol"]);
        Assert.Equal(FakeVendorServer.DefaultQuoteTime.AddSeconds(90), Job(api).NextTick(FakeVendorServer.DefaultQuoteTime));
    }

    [Fact]
    public async Task After_the_close_it_records_each_official_close_once_and_fills_stock_info()
    {
        await using var vendor = await FakeVendorServer.StartAsync(Ct);
        vendor.SetQuote("SPY", 600m, 599m, 598m);
        vendor.SetQuote("AAPL", 200m, 199m, 198m);
        vendor.SetOverview("AAPL", "Apple Inc", "TECHNOLOGY", "ELECTRONIC COMPUTERS", 3_000_000_000_000m);
        await using var api = await ApiFactory.StartAsync(FakeVendorServer.DefaultQuoteTime, AlphaVantageSettings(vendor));
        await (await (await api.RegisterAsync()).TradeAsync("AAPL", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var afterClose = new DateTimeOffset(2026, 3, 2, 21, 30, 0, TimeSpan.Zero);
        api.Clock.SetUtcNow(afterClose);
        vendor.QuoteTime = new DateTimeOffset(2026, 3, 2, 21, 0, 0, TimeSpan.Zero);
        vendor.SetQuote("AAPL", 201.5m, 199m, 198m);

        await RunRefresherAsync(api);
        var callsAfterFirst = vendor.Requests.Count(r => r["function"] == "REALTIME_BULK_QUOTES");
        await RunRefresherAsync(api);

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var closes = await db.DailyPrices.Where(p => p.Date == new DateOnly(2026, 3, 2)).OrderBy(p => p.Ticker).ToListAsync(Ct);
        Assert.Equal(["AAPL", "SPY"], closes.Select(c => c.Ticker));
        Assert.Equal(201.5m, closes[0].Close);
        Assert.Equal(198m, closes[0].Open);
        Assert.Equal(callsAfterFirst, vendor.Requests.Count(r => r["function"] == "REALTIME_BULK_QUOTES"));
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 14, 30, 0, TimeSpan.Zero), Job(api).NextTick(afterClose));
        var info = await db.StockInfo.SingleAsync(s => s.Ticker == "AAPL", Ct);
        Assert.Equal("TECHNOLOGY", info.Sector);
        Assert.Equal(3_000_000_000_000m, info.MarketCapitalization);
    }

    [Fact]
    public async Task A_backfill_of_daily_closes_is_an_idempotent_upsert()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning);
        await using var scope = api.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<DailyPriceStore>();
        var simulator = scope.ServiceProvider.GetRequiredService<SimulatedQuoteProvider>();

        var first = await store.BackfillAsync("AAPL", new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 27), Ct);
        var second = await store.BackfillAsync("AAPL", new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 27), Ct);
        var rewritten = await store.UpsertAsync("AAPL", "test", [new SessionPrices(new DateOnly(2026, 2, 3), 1m, 2m)], Ct);

        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var rows = await db.DailyPrices.AsNoTracking().Where(p => p.Ticker == "AAPL").OrderBy(p => p.Date).ToListAsync(Ct);
        // February 2026 has 20 weekdays; Washington's Birthday (16th) is closed.
        Assert.Equal(19, first);
        Assert.Equal(0, second);
        Assert.Equal(1, rewritten);
        Assert.Equal(19, rows.Count);
        Assert.DoesNotContain(rows, r => r.Date == new DateOnly(2026, 2, 16));
        Assert.Equal(simulator.CloseOn("AAPL", new DateOnly(2026, 2, 27)), rows[^1].Close);
        Assert.Equal(2m, rows.Single(r => r.Date == new DateOnly(2026, 2, 3)).Close);
    }

    static Dictionary<string, string?> AlphaVantageSettings(FakeVendorServer vendor) => new()
    {
        ["MarketData:Provider"] = "AlphaVantage",
        ["MarketData:AlphaVantage:BaseUrl"] = vendor.BaseAddress.ToString(),
        ["MarketData:AlphaVantage:ApiKeys:0"] = "test-key-0",
        ["MarketData:Yahoo:BaseUrl"] = vendor.BaseAddress.ToString(),
            // No scheduled jobs: they would make vendor calls of their own while the test counts calls.
            ["Roles"] = "api",
    };

    static PriceRefreshJob Job(ApiFactory api) => api.Services.GetServices<IScheduledJob>().OfType<PriceRefreshJob>().Single();

    /// <summary>One tick of the job at the fake clock's instant, run directly so the test decides when it happens.</summary>
    static async Task RunRefresherAsync(ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        await Job(api).RunAsync(scope.ServiceProvider, api.Clock.GetUtcNow(), Ct);
    }
}

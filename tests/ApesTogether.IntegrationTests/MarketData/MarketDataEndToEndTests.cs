using System.Net;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests.MarketData;

/// <summary>The whole service on AlphaVantage (with Yahoo as fallback), both played by the local fake vendor server.</summary>
public sealed class MarketDataEndToEndTests
{
    static readonly string[] Tickers = ["AAPL", "MSFT", "NVDA", "AMZN", "META", "SPY", "KO"];

    static async Task<(ApiFactory Api, FakeVendorServer Vendor)> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var vendor = await FakeVendorServer.StartAsync(TestContext.Current.CancellationToken);
        var price = 100m;
        foreach (var ticker in Tickers)
        {
            vendor.SetQuote(ticker, price, price - 1m, price - 0.5m);
            price += 10m;
        }
        var settings = new Dictionary<string, string?>
        {
            ["MarketData:Provider"] = "AlphaVantage",
            ["MarketData:AlphaVantage:BaseUrl"] = vendor.BaseAddress.ToString(),
            ["MarketData:AlphaVantage:ApiKeys:0"] = "test-key-0",
            ["MarketData:AlphaVantage:ApiKeys:1"] = "test-key-1",
            ["MarketData:AlphaVantage:Timeout"] = "00:00:02",
            ["MarketData:Yahoo:BaseUrl"] = vendor.BaseAddress.ToString(),
            // The refresher would add calls of its own; these tests count calls.
            ["MarketData:Refresher:Enabled"] = "false",
            // No scheduled jobs: they would make vendor calls of their own while the test counts calls.
            ["Roles"] = "api",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        var api = await ApiFactory.StartAsync(FakeVendorServer.DefaultQuoteTime, settings);
        return (api, vendor);
    }

    static int AlphaVantageCalls(FakeVendorServer vendor) => vendor.Requests.Count(r => r.Path == "/query");

    static int YahooCalls(FakeVendorServer vendor) => vendor.Requests.Count(r => r.Path.StartsWith("/v8/finance/chart", StringComparison.Ordinal));

    [Fact]
    public async Task Quotes_trades_and_the_portfolio_are_priced_by_alphavantage_and_every_call_is_logged()
    {
        var (api, vendor) = await StartAsync();
        await using var _ = api;
        await using var __ = vendor;
        var user = await api.RegisterAsync();

        var quote = await (await user.Client.Get("/api/v1/stocks/MSFT/quote")).ReadJsonAsync(HttpStatusCode.OK);
        var trade = await (await user.TradeAsync("MSFT", 2, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var portfolio = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);
        var admin = await api.AdminAsync();
        var health = await (await admin.Client.Get("/admin/metrics/health")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(110m, quote["price"].Dec());
        Assert.Equal(109m, quote["previous_close"].Dec());
        Assert.Equal("alphavantage", (string?)quote["source"]);
        Assert.Equal(110m, trade["transaction"]!["price"].Dec());
        Assert.Equal("alphavantage", (string?)trade["transaction"]!["price_source"]);
        Assert.Equal(220m, portfolio["totals"]!["holdings_value"].Dec());
        // One bulk call served the quote; the trade and the view read the cache within its 90 s.
        Assert.Equal(1, AlphaVantageCalls(vendor));
        Assert.Equal("REALTIME_BULK_QUOTES", vendor.Requests[0]["function"]);
        Assert.Equal(1, (int)health["api_calls_today"]!);
        Assert.Equal(2 * 150 * 60 * 8, (int)health["api_calls_limit"]!);
        Assert.Equal("closed", (string?)health["market_data"]!["breaker_state"]);
        Assert.Equal(2, (int)health["market_data"]!["quote_cache"]!["hits"]!);
    }

    [Fact]
    public async Task Three_failures_switch_to_yahoo_the_break_keeps_traffic_there_and_a_probe_switches_back()
    {
        var (api, vendor) = await StartAsync();
        await using var _ = api;
        await using var __ = vendor;
        var user = await api.RegisterAsync();
        vendor.AlphaVantageMode = FakeVendorMode.Http503;

        var sources = new List<string?>();
        foreach (var ticker in new[] { "AAPL", "MSFT", "NVDA", "AMZN" })
        {
            sources.Add((string?)(await (await user.Client.Get($"/api/v1/stocks/{ticker}/quote")).ReadJsonAsync(HttpStatusCode.OK))["source"]);
        }
        var primaryCallsWhileOpen = AlphaVantageCalls(vendor);
        vendor.AlphaVantageMode = FakeVendorMode.Normal;
        await api.MoveClockAsync(FakeVendorServer.DefaultQuoteTime.AddSeconds(301), user);
        var afterBreak = await (await user.Client.Get("/api/v1/stocks/META/quote")).ReadJsonAsync(HttpStatusCode.OK);
        var admin = await api.AdminAsync();
        var health = await (await admin.Client.Get("/admin/metrics/health")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.All(sources, s => Assert.Equal("yahoo", s));
        Assert.Equal(3, primaryCallsWhileOpen);
        Assert.Equal(4, YahooCalls(vendor));
        Assert.Equal("alphavantage", (string?)afterBreak["source"]);
        Assert.Equal("closed", (string?)health["market_data"]!["breaker_state"]);
        Assert.Equal(1, (int)health["market_data"]!["failovers"]!);
    }

    [Fact]
    public async Task A_throttled_key_is_rested_and_the_call_retried_on_the_other_key()
    {
        var (api, vendor) = await StartAsync();
        await using var _ = api;
        await using var __ = vendor;
        var user = await api.RegisterAsync();
        var first = true;
        vendor.Handler = async context =>
        {
            if (first && context.Request.Path == "/query")
            {
                first = false;
                await FakeVendorServer.Respond(FakeVendorServer.AlphaVantageNote())(context);
                return;
            }
            vendor.Handler = null;
            await FakeVendorServer.Respond(FakeVendorServer.AlphaVantageBulk(("KO", 42m, 41m)))(context);
        };

        var quote = await (await user.Client.Get("/api/v1/stocks/KO/quote")).ReadJsonAsync(HttpStatusCode.OK);

        var keys = vendor.Requests.Where(r => r.Path == "/query").Select(r => r["apikey"]).ToList();
        Assert.Equal(["test-key-0", "test-key-1"], keys);
        Assert.Equal(42m, quote["price"].Dec());
        Assert.Equal("alphavantage", (string?)quote["source"]);
    }

    [Fact]
    public async Task The_per_minute_budget_is_never_exceeded_and_beyond_it_callers_are_served_by_the_fallback()
    {
        var (api, vendor) = await StartAsync(new()
        {
            ["MarketData:AlphaVantage:ApiKeys:1"] = null,
            ["MarketData:AlphaVantage:CallsPerMinute"] = "2",
            ["MarketData:AlphaVantage:MaxWaitForBudget"] = "00:00:00",
        });
        await using var _ = api;
        await using var __ = vendor;
        var user = await api.RegisterAsync();

        var sources = new List<string?>();
        foreach (var ticker in new[] { "AAPL", "MSFT", "NVDA", "AMZN", "META" })
        {
            sources.Add((string?)(await (await user.Client.Get($"/api/v1/stocks/{ticker}/quote")).ReadJsonAsync(HttpStatusCode.OK))["source"]);
        }

        Assert.Equal(2, AlphaVantageCalls(vendor));
        Assert.Equal(["alphavantage", "alphavantage", "yahoo", "yahoo", "yahoo"], sources);
    }

    [Fact]
    public async Task With_every_provider_down_views_show_the_last_price_as_stale_and_trades_answer_503()
    {
        var (api, vendor) = await StartAsync(new() { ["MarketData:Fallback"] = "None" });
        await using var _ = api;
        await using var __ = vendor;
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("AAPL", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        vendor.AlphaVantageMode = FakeVendorMode.Http503;
        await api.MoveClockAsync(FakeVendorServer.DefaultQuoteTime.AddMinutes(5), user);

        var portfolio = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);
        var trade = await user.TradeAsync("AAPL", 1, "buy");

        var holding = portfolio["holdings"]![0]!;
        Assert.True((bool)holding["price_stale"]!);
        Assert.Equal(100m, holding["price"].Dec());
        Assert.Equal(FakeVendorServer.DefaultQuoteTime, DateTimeOffset.Parse((string)holding["price_as_of"]!, System.Globalization.CultureInfo.InvariantCulture));
        await trade.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "quote_unavailable");
    }
}

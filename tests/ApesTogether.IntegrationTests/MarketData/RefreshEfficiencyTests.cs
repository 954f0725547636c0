using ApesTogether.Api.Features.MarketData;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests.MarketData;

/// <summary>The guide's 50–100k-user case: 3,000 distinct held symbols, refreshed by bulk calls on one key.</summary>
public sealed class RefreshEfficiencyTests
{
    [Fact]
    public async Task Three_thousand_held_symbols_take_thirty_bulk_calls_per_cycle_which_is_twenty_calls_a_minute_at_90_seconds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var vendor = await FakeVendorServer.StartAsync(ct);
        var symbols = Enumerable.Range(1, 3_000).Select(i => $"S{i:D4}").ToList();
        foreach (var symbol in symbols)
        {
            vendor.SetQuote(symbol, 10m, 9m);
        }
        await using var api = await ApiFactory.StartAsync(FakeVendorServer.DefaultQuoteTime, new Dictionary<string, string?>
        {
            ["MarketData:Provider"] = "AlphaVantage",
            ["MarketData:AlphaVantage:BaseUrl"] = vendor.BaseAddress.ToString(),
            ["MarketData:AlphaVantage:ApiKeys:0"] = "only-key",
            ["MarketData:Yahoo:BaseUrl"] = vendor.BaseAddress.ToString(),
            ["MarketData:Refresher:Enabled"] = "false",
            // No scheduled jobs: they would make vendor calls of their own while the test counts calls.
            ["Roles"] = "api",
        });
        var quotes = api.Services.GetRequiredService<QuoteSource>();
        vendor.ClearRequests();

        var priced = await quotes.RefreshAsync(symbols, AlphaVantageQuoteProvider.MaxSymbolsPerCall, ct);

        var calls = vendor.Requests.Where(r => r.Path == "/query").ToList();
        Assert.Equal(3_000, priced);
        Assert.Equal(30, calls.Count);
        Assert.All(calls, c => Assert.Equal(100, c["symbol"]!.Split(',').Length));
        // A cycle every 90 s (the cache lifetime) is 30 calls per 1.5 min = 20 calls/min, within one key's 150/min.
        var perMinute = calls.Count / 1.5m;
        Assert.Equal(20m, perMinute);
        Assert.True(api.Services.GetRequiredService<ApiKeyPool>().CallsInLastMinute() <= 150);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using ApesTogether.Api.Features.MarketData.Vendors;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static ApesTogether.IntegrationTests.Infrastructure.FakeVendorServer;

namespace ApesTogether.IntegrationTests.MarketData;

public sealed class YahooChartClientTests : IAsyncLifetime
{
    FakeVendorServer _server = null!;

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await FakeVendorServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    YahooChartClient Client(TimeSpan? timeout = null) =>
        new(new HttpClient { BaseAddress = _server.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task Quote_reads_price_previous_close_today_open_and_market_time()
    {
        _server.SetQuote("AAPL", 212.49m, 211.26m, open: 211.5m);
        _server.SetDailyBars("AAPL", new DailyBar(new DateOnly(2026, 2, 27), 210m, 212m, 209m, 211.26m, 1_000));

        var quote = await Client().GetQuoteAsync("aapl", Ct);

        Assert.Equal(new VendorQuote("AAPL", 212.49m, 211.26m, 211.5m, DefaultQuoteTime), quote);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v8/finance/chart/AAPL", request.Path);
        Assert.Equal("1d", request["interval"]);
        Assert.Equal("5d", request["range"]);
    }

    [Fact]
    public async Task Quote_reads_json_numbers_exactly_and_falls_back_to_the_last_session_close()
    {
        var marketTime = DateTimeOffset.FromUnixTimeSeconds(1718395200); // Friday 14 June 2024, 16:00 New York
        _server.Handler = Respond(YahooChart("AAPL", 212.49m, previousClose: null, marketTime,
        [
            new YahooBar(SessionOpen(new DateOnly(2024, 6, 12)), 207.37m, 220.2m, 206.9m, 213.07m, 198_134_300),
            new YahooBar(SessionOpen(new DateOnly(2024, 6, 13)), 214.74m, 216.75m, 211.6m, 214.24m, 97_862_700),
        ]));

        var quote = await Client().GetQuoteAsync("AAPL", Ct);

        // No bar for 14 June, so no open; the 13 June close is yesterday's close, unlike the range's chartPreviousClose.
        Assert.Equal(new VendorQuote("AAPL", 212.49m, 214.24m, null, marketTime), quote);
    }

    [Fact]
    public async Task Quote_of_an_unknown_symbol_is_null()
    {
        var quote = await Client().GetQuoteAsync("NOPE", Ct);

        Assert.Null(quote);
    }

    [Fact]
    public async Task A_404_that_is_not_yahoos_not_found_is_an_error()
    {
        _server.Handler = RespondText("<html>no such page</html>", StatusCodes.Status404NotFound, "text/html");

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetQuoteAsync("AAPL", Ct));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Http_429_is_a_throttle_that_carries_retry_after()
    {
        _server.YahooMode = FakeVendorMode.Http429;
        _server.RetryAfter = TimeSpan.FromSeconds(7);

        var ex = await Assert.ThrowsAsync<VendorThrottledException>(() => Client().GetQuoteAsync("AAPL", Ct));

        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
    }

    [Fact]
    public async Task Http_503_is_an_error()
    {
        _server.YahooMode = FakeVendorMode.Http503;

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetQuoteAsync("AAPL", Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_an_error()
    {
        _server.YahooMode = FakeVendorMode.Malformed;

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetQuoteAsync("AAPL", Ct));

        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("""{"chart":{"result":[{"timestamp":[]}],"error":null}}""")]
    [InlineData("""{"chart":{"result":[],"error":null}}""")]
    [InlineData("""{"quoteResponse":{}}""")]
    public async Task An_answer_of_unexpected_shape_is_an_error(string body)
    {
        _server.Handler = RespondText(body);

        await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetQuoteAsync("AAPL", Ct));
    }

    [Fact]
    public async Task A_vendor_that_does_not_answer_in_time_is_an_error()
    {
        _server.YahooMode = FakeVendorMode.Hang;

        await Assert.ThrowsAsync<VendorErrorException>(() => Client(TimeSpan.FromMilliseconds(300)).GetQuoteAsync("AAPL", Ct));
    }

    [Fact]
    public async Task Caller_cancellation_propagates_as_cancellation()
    {
        _server.YahooMode = FakeVendorMode.Hang;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().GetDailySeriesAsync("AAPL", new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 27), cts.Token));
    }

    [Fact]
    public async Task Daily_series_skips_days_with_null_values()
    {
        _server.Handler = Respond(YahooChart("AAPL", 212.49m, 211.26m, DefaultQuoteTime,
        [
            new YahooBar(SessionOpen(new DateOnly(2024, 6, 10)), 196.9m, 197.3m, 192.15m, 193.12m, 97_262_100),
            new YahooBar(SessionOpen(new DateOnly(2024, 6, 11)), null, null, null, null, null),
            new YahooBar(SessionOpen(new DateOnly(2024, 6, 12)), 207.37m, 220.2m, 206.9m, null, 198_134_300),
            new YahooBar(SessionOpen(new DateOnly(2024, 6, 13)), 214.74m, 216.75m, 211.6m, 214.24m, 97_862_700),
        ]));

        var bars = await Client().GetDailySeriesAsync("AAPL", new DateOnly(2024, 6, 10), new DateOnly(2024, 6, 13), Ct);

        Assert.Equal(
            [
                new DailyBar(new DateOnly(2024, 6, 10), 196.9m, 197.3m, 192.15m, 193.12m, 97_262_100),
                new DailyBar(new DateOnly(2024, 6, 13), 214.74m, 216.75m, 211.6m, 214.24m, 97_862_700),
            ],
            bars);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("1d", request["interval"]);
        Assert.Equal(NewYorkMidnight(2024, 6, 10).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request["period1"]);
        Assert.Equal(NewYorkMidnight(2024, 6, 14).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request["period2"]);
    }

    [Fact]
    public async Task Daily_series_from_the_market_covers_only_the_asked_dates()
    {
        _server.SetQuote("MSFT", 442.57m, 441.58m);
        _server.SetDailyBars("MSFT",
            new DailyBar(new DateOnly(2026, 2, 25), 1m, 2m, 0.5m, 1.5m, 10),
            new DailyBar(new DateOnly(2026, 2, 26), 1.5m, 2m, 1m, 1.75m, 20),
            new DailyBar(new DateOnly(2026, 2, 27), 1.75m, 3m, 1.5m, 2.5m, 30));

        var bars = await Client().GetDailySeriesAsync("MSFT", new DateOnly(2026, 2, 26), new DateOnly(2026, 2, 27), Ct);

        Assert.NotNull(bars);
        Assert.Equal([new DateOnly(2026, 2, 26), new DateOnly(2026, 2, 27)], bars.Select(b => b.Date));
        Assert.Equal(30, bars[^1].Volume);
    }

    [Fact]
    public async Task Daily_series_of_an_unknown_symbol_is_null()
    {
        var bars = await Client().GetDailySeriesAsync("NOPE", new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 27), Ct);

        Assert.Null(bars);
    }

    static DateTimeOffset NewYorkMidnight(int year, int month, int day)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var midnight = new DateTime(year, month, day);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }
}

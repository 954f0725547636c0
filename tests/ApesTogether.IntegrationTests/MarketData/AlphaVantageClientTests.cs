using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApesTogether.Api.Features.MarketData.Vendors;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests.MarketData;

public sealed class AlphaVantageClientTests : IAsyncLifetime
{
    const string Key = "TESTKEY-7f3a9c";

    FakeVendorServer _server = null!;

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await FakeVendorServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    AlphaVantageClient Client(TimeSpan? timeout = null) =>
        new(new HttpClient { BaseAddress = _server.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task Bulk_quotes_read_the_documented_answer_with_new_york_timestamps()
    {
        _server.Handler = FakeVendorServer.RespondText("""
            {"endpoint":"Realtime Bulk Quotes","message":"","data":[
              {"symbol":"MSFT","timestamp":"2024-06-14 15:59:59.993","open":"440.85","high":"443.39","low":"439.37","close":"442.57","volume":"15560453","previous_close":"441.58","change":"0.99","change_percent":"0.2242","extended_hours_quote":"442.40","extended_hours_change":"-0.17","extended_hours_change_percent":"-0.0384"},
              {"symbol":"IBM","timestamp":"2024-01-12 16:00:00","open":"162.97","high":"163.00","low":"161.50","close":"162.16","volume":"100","previous_close":"161.00"}]}
            """);

        var quotes = await Client().GetBulkQuotesAsync(["MSFT", "IBM"], Key, Ct);

        Assert.Equal(new VendorQuote("MSFT", 442.57m, 441.58m, 440.85m, new DateTimeOffset(2024, 6, 14, 19, 59, 59, 993, TimeSpan.Zero)), quotes["MSFT"]);
        // January is standard time: 16:00 New York is 21:00 UTC.
        Assert.Equal(new DateTimeOffset(2024, 1, 12, 21, 0, 0, TimeSpan.Zero), quotes["ibm"].AsOf);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/query", request.Path);
        Assert.Equal("REALTIME_BULK_QUOTES", request["function"]);
        Assert.Equal("MSFT,IBM", request["symbol"]);
        Assert.Equal(Key, request["apikey"]);
    }

    [Fact]
    public async Task Bulk_quotes_leave_out_symbols_the_vendor_does_not_know()
    {
        _server.SetQuote("AAPL", 212.49m, 211.26m);
        _server.SetQuote("MSFT", 442.57m, 441.58m);

        var quotes = await Client().GetBulkQuotesAsync(["aapl", "MSFT", "NOPE"], Key, Ct);

        Assert.Equal(["AAPL", "MSFT"], quotes.Keys.Order());
        Assert.Equal(212.49m, quotes["AAPL"].Price);
        Assert.Equal(211.26m, quotes["Aapl"].PreviousClose);
        Assert.Equal(FakeVendorServer.DefaultQuoteTime, quotes["MSFT"].AsOf);
        Assert.Equal("AAPL,MSFT,NOPE", Assert.Single(_server.Requests)["symbol"]);
    }

    [Fact]
    public async Task Bulk_quotes_with_only_invalid_symbols_are_an_empty_answer()
    {
        _server.Handler = FakeVendorServer.Respond(new JsonObject { ["endpoint"] = "Realtime Bulk Quotes", ["message"] = "the following symbols are invalid: NOPE" });

        var quotes = await Client().GetBulkQuotesAsync(["NOPE"], Key, Ct);

        Assert.Empty(quotes);
    }

    [Fact]
    public async Task Bulk_quotes_skip_entries_with_unparsable_numbers_but_keep_the_rest()
    {
        _server.Handler = FakeVendorServer.RespondText("""
            {"data":[
              {"symbol":"AAA","timestamp":"2024-06-14 15:59:59","close":"n/a","previous_close":"1.00"},
              {"symbol":"BBB","timestamp":"not a time","close":"12.5","previous_close":"-","open":""},
              {"symbol":42,"close":"1.00"}]}
            """);

        var quotes = await Client().GetBulkQuotesAsync(["AAA", "BBB"], Key, Ct);

        var quote = Assert.Single(quotes).Value;
        Assert.Equal(new VendorQuote("BBB", 12.5m, null, null, null), quote);
    }

    [Fact]
    public async Task Bulk_quotes_refuse_more_than_100_symbols_without_calling_the_vendor()
    {
        var symbols = Enumerable.Range(0, 101).Select(i => $"S{i}").ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => Client().GetBulkQuotesAsync(symbols, Key, Ct));

        Assert.Empty(_server.Requests);
        Assert.Empty(await Client().GetBulkQuotesAsync(symbols[..100].Select(_ => "NOPE").ToList(), Key, Ct));
    }

    [Fact]
    public async Task Bulk_quotes_fail_on_an_error_message()
    {
        _server.Handler = FakeVendorServer.Respond(FakeVendorServer.AlphaVantageInvalidApiCall("REALTIME_BULK_QUOTES"));

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetBulkQuotesAsync(["IBM"], Key, Ct));

        Assert.Contains("Invalid API call", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Global_quote_reads_price_previous_close_and_open_without_an_instant()
    {
        _server.Handler = FakeVendorServer.RespondText("""
            {"Global Quote":{"01. symbol":"IBM","02. open":"169.0000","03. high":"170.3000","04. low":"168.1200","05. price":"169.2100","06. volume":"2934781","07. latest trading day":"2024-06-14","08. previous close":"169.1200","09. change":"0.0900","10. change percent":"0.0532%"}}
            """);

        var quote = await Client().GetGlobalQuoteAsync("ibm", Key, Ct);

        Assert.Equal(new VendorQuote("IBM", 169.21m, 169.12m, 169.00m, null), quote);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("GLOBAL_QUOTE", request["function"]);
        Assert.Equal("IBM", request["symbol"]);
    }

    [Fact]
    public async Task Global_quote_of_an_unknown_symbol_is_null()
    {
        _server.SetQuote("IBM", 169.21m, 169.12m);

        var quote = await Client().GetGlobalQuoteAsync("NOPE", Key, Ct);

        Assert.Null(quote);
    }

    [Fact]
    public async Task Daily_series_comes_back_in_ascending_date_order()
    {
        _server.SetQuote("IBM", 169.21m, 169.12m);
        _server.SetDailyBars("IBM",
            new DailyBar(new DateOnly(2024, 6, 13), 168.5m, 169.9m, 167.1m, 169.12m, 3_000_000),
            new DailyBar(new DateOnly(2024, 6, 12), 170m, 171m, 168m, 168.6m, 2_000_000),
            new DailyBar(new DateOnly(2024, 6, 14), 169m, 170.3m, 168.12m, 169.21m, 2_934_781));

        var bars = await Client().GetDailySeriesAsync("IBM", full: false, Key, Ct);

        Assert.NotNull(bars);
        Assert.Equal([new DateOnly(2024, 6, 12), new DateOnly(2024, 6, 13), new DateOnly(2024, 6, 14)], bars.Select(b => b.Date));
        Assert.Equal(new DailyBar(new DateOnly(2024, 6, 14), 169m, 170.3m, 168.12m, 169.21m, 2_934_781), bars[^1]);
        Assert.Equal("compact", Assert.Single(_server.Requests)["outputsize"]);
    }

    [Fact]
    public async Task Daily_series_asks_for_the_full_history_when_told()
    {
        _server.SetQuote("IBM", 169.21m, 169.12m);

        var bars = await Client().GetDailySeriesAsync("IBM", full: true, Key, Ct);

        Assert.Empty(bars!);
        Assert.Equal("full", Assert.Single(_server.Requests)["outputsize"]);
    }

    [Fact]
    public async Task Daily_series_of_an_unknown_symbol_is_null()
    {
        var bars = await Client().GetDailySeriesAsync("NOPE", full: false, Key, Ct);

        Assert.Null(bars);
    }

    [Fact]
    public async Task Daily_series_fails_on_an_error_message_that_is_not_about_the_symbol()
    {
        _server.Handler = FakeVendorServer.Respond(new JsonObject { ["Error Message"] = "the parameter apikey is invalid or missing." });

        await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetDailySeriesAsync("IBM", full: false, Key, Ct));
    }

    [Fact]
    public async Task Overview_reads_company_facts_and_turns_none_into_null()
    {
        _server.SetQuote("IBM", 169.21m, 169.12m);
        _server.SetOverview("IBM", "International Business Machines", "TECHNOLOGY", null, 155_000_000_000m);

        var overview = await Client().GetOverviewAsync("IBM", Key, Ct);

        Assert.Equal(new CompanyOverview("IBM", "International Business Machines", "TECHNOLOGY", null, 155_000_000_000m), overview);
    }

    [Fact]
    public async Task Overview_reads_dashes_as_missing_values()
    {
        _server.Handler = FakeVendorServer.RespondText("""
            {"Symbol":"SPY","AssetType":"ETF","Name":"SPDR S&P 500 ETF Trust","Sector":"-","Industry":"None","MarketCapitalization":"-"}
            """);

        var overview = await Client().GetOverviewAsync("SPY", Key, Ct);

        Assert.Equal(new CompanyOverview("SPY", "SPDR S&P 500 ETF Trust", null, null, null), overview);
    }

    [Fact]
    public async Task Overview_of_an_unknown_symbol_is_null()
    {
        var overview = await Client().GetOverviewAsync("NOPE", Key, Ct);

        Assert.Null(overview);
    }

    [Theory]
    [InlineData(FakeVendorMode.ThrottleNote)]
    [InlineData(FakeVendorMode.ThrottleInformation)]
    public async Task A_throttle_body_with_http_200_is_a_throttle(FakeVendorMode mode)
    {
        _server.SetQuote("IBM", 169.21m, 169.12m);
        _server.AlphaVantageMode = mode;
        var client = Client();

        await Assert.ThrowsAsync<VendorThrottledException>(() => client.GetBulkQuotesAsync(["IBM"], Key, Ct));
        await Assert.ThrowsAsync<VendorThrottledException>(() => client.GetGlobalQuoteAsync("IBM", Key, Ct));
        await Assert.ThrowsAsync<VendorThrottledException>(() => client.GetDailySeriesAsync("IBM", false, Key, Ct));
        await Assert.ThrowsAsync<VendorThrottledException>(() => client.GetOverviewAsync("IBM", Key, Ct));
    }

    [Fact]
    public async Task Information_about_a_premium_endpoint_is_an_error_not_a_throttle()
    {
        _server.Handler = FakeVendorServer.Respond(FakeVendorServer.AlphaVantagePremiumInformation());

        await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetBulkQuotesAsync(["IBM"], Key, Ct));
    }

    [Fact]
    public async Task A_refused_key_is_an_error()
    {
        _server.SetQuote("IBM", 169.21m, 169.12m);
        _server.ExpectedApiKey = "the-right-key";

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetGlobalQuoteAsync("IBM", Key, Ct));

        Assert.Contains("apikey is invalid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_429_is_a_throttle_that_carries_retry_after()
    {
        _server.AlphaVantageMode = FakeVendorMode.Http429;
        _server.RetryAfter = TimeSpan.FromSeconds(42);

        var ex = await Assert.ThrowsAsync<VendorThrottledException>(() => Client().GetGlobalQuoteAsync("IBM", Key, Ct));

        Assert.Equal(TimeSpan.FromSeconds(42), ex.RetryAfter);
    }

    [Fact]
    public async Task Http_503_is_an_error_with_its_status()
    {
        _server.AlphaVantageMode = FakeVendorMode.Http503;

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetBulkQuotesAsync(["IBM"], Key, Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
    }

    [Fact]
    public async Task A_vendor_that_does_not_answer_in_time_is_an_error()
    {
        _server.AlphaVantageMode = FakeVendorMode.Hang;

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client(TimeSpan.FromMilliseconds(300)).GetGlobalQuoteAsync("IBM", Key, Ct));

        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task Malformed_json_is_an_error()
    {
        _server.AlphaVantageMode = FakeVendorMode.Malformed;

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetDailySeriesAsync("IBM", false, Key, Ct));

        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("""{"Something":"else"}""")]
    [InlineData("""{"Global Quote":"IBM"}""")]
    [InlineData("""{"Global Quote":{"01. symbol":"IBM","05. price":"n/a"}}""")]
    public async Task An_answer_of_unexpected_shape_is_an_error(string body)
    {
        _server.Handler = FakeVendorServer.RespondText(body);

        await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetGlobalQuoteAsync("IBM", Key, Ct));
    }

    [Theory]
    [InlineData(FakeVendorMode.Http429)]
    [InlineData(FakeVendorMode.Http503)]
    [InlineData(FakeVendorMode.Malformed)]
    [InlineData(FakeVendorMode.Hang)]
    [InlineData(FakeVendorMode.ThrottleNote)]
    public async Task The_api_key_never_appears_in_an_exception(FakeVendorMode mode)
    {
        _server.AlphaVantageMode = mode;

        var ex = await Assert.ThrowsAnyAsync<VendorException>(() => Client(TimeSpan.FromMilliseconds(300)).GetGlobalQuoteAsync("IBM", Key, Ct));

        Assert.DoesNotContain(Key, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_the_vendor_echoes_back_is_blanked_in_the_exception()
    {
        _server.Handler = FakeVendorServer.Respond(new JsonObject { ["Information"] = $"The key {Key} is not valid for this endpoint." });

        var ex = await Assert.ThrowsAsync<VendorErrorException>(() => Client().GetOverviewAsync("IBM", Key, Ct));

        Assert.DoesNotContain(Key, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_propagates_as_cancellation_not_as_a_vendor_error()
    {
        _server.AlphaVantageMode = FakeVendorMode.Hang;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().GetBulkQuotesAsync(["IBM"], Key, cts.Token));

        Assert.Equal(cts.Token, ex.CancellationToken);
    }
}

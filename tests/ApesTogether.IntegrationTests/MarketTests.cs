using System.Globalization;
using System.Net;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests;

public sealed class MarketTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Status_reports_the_open_session_and_the_next_open_and_close()
    {
        var body = await (await api.CreateAnonymousClient().Get("/api/v1/market/status")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True((bool)body["is_open"]!);
        Assert.Equal("regular", (string?)body["session"]);
        Assert.False((bool)body["is_holiday"]!);
        Assert.Equal("2026-03-02T21:00:00Z", (string?)body["next_close"]);
        Assert.Equal("2026-03-03T14:30:00Z", (string?)body["next_open"]);
    }

    [Fact]
    public async Task Calendar_lists_sessions_in_utc_with_early_closes_and_holidays()
    {
        var body = await (await api.CreateAnonymousClient().Get("/api/v1/market/calendar?from=2026-11-25&to=2026-11-30")).ReadJsonAsync(HttpStatusCode.OK);

        var sessions = body["sessions"]!.AsArray();
        Assert.Equal(["2026-11-25", "2026-11-27", "2026-11-30"], sessions.Select(s => (string)s!["date"]!));
        var friday = sessions[1]!;
        Assert.True((bool)friday["early_close"]!);
        Assert.Equal("2026-11-27T18:00:00Z", (string?)friday["close"]);
        Assert.Equal("2026-11-25T14:30:00Z", (string?)sessions[0]!["open"]);
        var holiday = Assert.Single(body["holidays"]!.AsArray())!;
        Assert.Equal("2026-11-26", (string?)holiday["date"]);
        Assert.Equal("Thanksgiving Day", (string?)holiday["name"]);
    }

    [Theory]
    [InlineData("from=2026-01-01&to=2027-06-01")]
    [InlineData("from=2026-02-01&to=2026-01-01")]
    [InlineData("from=01/02/2026")]
    [InlineData("from=2026-02-30")]
    [InlineData("to=tomorrow")]
    public async Task Calendar_rejects_bad_ranges(string query)
    {
        var response = await api.CreateAnonymousClient().Get($"/api/v1/market/calendar?{query}");

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_quote_has_price_change_and_session()
    {
        var user = await api.RegisterAsync();

        var body = await (await user.Client.Get("/api/v1/stocks/nvda/quote")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("NVDA", (string?)body["ticker"]);
        Assert.True(body["price"].Dec() > 0);
        Assert.Equal(body["price"].Dec() - body["previous_close"].Dec(), body["change"].Dec());
        Assert.Equal("regular", (string?)body["market_session"]);
        Assert.Equal("simulated", (string?)body["source"]);
        Assert.Equal(api.Clock.GetUtcNow(), DateTimeOffset.Parse((string)body["as_of"]!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_quote_for_an_unknown_ticker_is_404()
    {
        var user = await api.RegisterAsync();

        await (await user.Client.Get("/api/v1/stocks/NOPE1/quote")).ReadProblemAsync(HttpStatusCode.NotFound, "unknown_ticker");
    }
}

public sealed class MarketClosedTests
{
    [Fact]
    public async Task On_a_holiday_status_says_closed_and_names_it()
    {
        await using var api = await ApiFactory.StartAsync(new DateTimeOffset(2026, 7, 3, 15, 0, 0, TimeSpan.Zero));

        var body = await (await api.CreateAnonymousClient().Get("/api/v1/market/status")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.False((bool)body["is_open"]!);
        Assert.Equal("closed", (string?)body["session"]);
        Assert.True((bool)body["is_holiday"]!);
        Assert.Equal("Independence Day", (string?)body["holiday_name"]);
        Assert.Equal("2026-07-06T13:30:00Z", (string?)body["next_open"]);
    }
}

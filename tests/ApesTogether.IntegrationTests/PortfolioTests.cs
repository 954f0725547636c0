using System.Net;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests;

public sealed class PortfolioTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Realtime_values_each_holding_and_the_totals_add_up()
    {
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("AAPL", 4, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await (await user.TradeAsync("SPY", 1.5m, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await (await user.TradeAsync("AAPL", 1, "sell")).ReadJsonAsync(HttpStatusCode.Created);

        var body = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True((bool)body["market"]!["is_open"]!);
        Assert.Equal("regular", (string?)body["market"]!["session"]);
        var holdings = body["holdings"]!.AsArray();
        Assert.Equal(["AAPL", "SPY"], holdings.Select(h => (string)h!["ticker"]!));
        foreach (var h in holdings)
        {
            var quantity = h!["quantity"].Dec();
            var price = h["price"].Dec();
            Assert.Equal(decimal.Round(quantity * price, 2, MidpointRounding.AwayFromZero), h["value"].Dec());
            Assert.Equal(h["value"].Dec() - h["cost_basis"].Dec(), h["gain"].Dec());
            Assert.Equal("simulated", (string?)h["price_source"]);
        }
        var totals = body["totals"]!;
        Assert.Equal(holdings.Sum(h => h!["value"].Dec()), totals["holdings_value"].Dec());
        Assert.Equal(totals["holdings_value"].Dec() + totals["cash_proceeds"].Dec(), totals["total_value"].Dec());
        Assert.Equal(totals["total_value"].Dec() - totals["capital_deployed"].Dec(), totals["total_gain"].Dec());
        Assert.Equal(holdings.Sum(h => h!["day_change"].Dec()), totals["day_change"].Dec());
        Assert.True(totals["cash_proceeds"].Dec() > 0);
    }

    [Fact]
    public async Task Realtime_shows_each_trade_as_soon_as_it_is_placed_though_the_positions_were_just_read()
    {
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("KO", 2, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var before = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);

        await (await user.TradeAsync("KO", 3, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var afterBuy = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);
        await (await user.TradeAsync("KO", 5, "sell")).ReadJsonAsync(HttpStatusCode.Created);
        var afterSell = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(2m, before["holdings"]![0]!["quantity"].Dec());
        Assert.Equal(5m, afterBuy["holdings"]![0]!["quantity"].Dec());
        Assert.True(afterBuy["totals"]!["capital_deployed"].Dec() > before["totals"]!["capital_deployed"].Dec());
        Assert.Empty(afterSell["holdings"]!.AsArray());
        Assert.True(afterSell["totals"]!["cash_proceeds"].Dec() > 0m);
    }

    [Fact]
    public async Task An_empty_portfolio_is_all_zeros()
    {
        var user = await api.RegisterAsync();

        var totals = (await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK))["totals"]!;

        Assert.Equal(0m, totals["total_value"].Dec());
        Assert.Equal(0m, totals["total_return_pct"].Dec());
    }

    [Fact]
    public async Task Transactions_page_newest_first_with_a_cursor()
    {
        var user = await api.RegisterAsync();
        foreach (var ticker in new[] { "AAPL", "MSFT", "NVDA", "AMZN", "META" })
        {
            await (await user.TradeAsync(ticker, 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        }

        var first = await (await user.Client.Get("/api/v1/portfolio/transactions?limit=2")).ReadJsonAsync(HttpStatusCode.OK);
        var second = await (await user.Client.Get($"/api/v1/portfolio/transactions?limit=2&before={(string)first["next_cursor"]!}")).ReadJsonAsync(HttpStatusCode.OK);
        var last = await (await user.Client.Get($"/api/v1/portfolio/transactions?limit=2&before={(string)second["next_cursor"]!}")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(["META", "AMZN"], first["items"]!.AsArray().Select(t => (string)t!["ticker"]!));
        Assert.Equal(["NVDA", "MSFT"], second["items"]!.AsArray().Select(t => (string)t!["ticker"]!));
        Assert.Equal(["AAPL"], last["items"]!.AsArray().Select(t => (string)t!["ticker"]!));
        Assert.Null(last["next_cursor"]);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("before=abc")]
    [InlineData("before=-5")]
    public async Task Transactions_reject_bad_paging(string query)
    {
        var user = await api.RegisterAsync();

        var response = await user.Client.Get($"/api/v1/portfolio/transactions?{query}");

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task The_owner_sees_holdings_and_recent_trades_on_the_public_portfolio()
    {
        var owner = await api.RegisterAsync();
        await (await owner.TradeAsync("COST", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var body = await (await owner.Client.Get($"/api/v1/portfolio/public/{owner.Username.ToUpperInvariant()}")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("full", (string?)body["access"]);
        Assert.Equal(owner.Username, (string?)body["user"]!["username"]);
        Assert.Equal(0, (int)body["user"]!["subscriber_count"]!);
        Assert.Equal("COST", (string?)body["holdings"]![0]!["ticker"]);
        Assert.Equal("executed", (string?)body["recent_trades"]![0]!["status"]);
        Assert.Equal(["1d", "5d", "7d", "1m", "3m", "ytd", "1y", "max"], body["performance"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Others_and_anonymous_visitors_get_a_preview_without_holdings()
    {
        var owner = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        await (await owner.TradeAsync("COST", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var seenByOther = await (await other.Client.Get($"/api/v1/portfolio/public/{owner.Username}")).ReadJsonAsync(HttpStatusCode.OK);
        var seenByAnonymous = await (await api.CreateAnonymousClient().Get($"/api/v1/portfolio/public/{owner.Username}")).ReadJsonAsync(HttpStatusCode.OK);

        foreach (var body in new[] { seenByOther, seenByAnonymous })
        {
            Assert.Equal("preview", (string?)body["access"]);
            Assert.False(body.ContainsKey("holdings"));
            Assert.False(body.ContainsKey("recent_trades"));
        }
    }

    [Fact]
    public async Task An_unknown_username_returns_404_user_not_found()
    {
        var response = await api.CreateAnonymousClient().Get("/api/v1/portfolio/public/nobody_here_at_all");

        await response.ReadProblemAsync(HttpStatusCode.NotFound, "user_not_found");
    }
}

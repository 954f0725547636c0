using System.Net;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests;

/// <summary>Trades while the market is open (the fixture's clock stands at Monday 10:00 New York).</summary>
public sealed class TradeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    async Task<decimal> PriceAsync(TestUser user, string ticker) =>
        (await (await user.Client.Get($"/api/v1/stocks/{ticker}/quote")).ReadJsonAsync(HttpStatusCode.OK))["price"].Dec();

    [Fact]
    public async Task A_buy_is_priced_by_the_server_and_books_ledger_holding_and_cash()
    {
        var user = await api.RegisterAsync();
        var price = await PriceAsync(user, "AAPL");

        var response = await user.Client.PostJsonAsync("/api/v1/trade", new { ticker = "aapl", quantity = 2.5m, action = "buy", price = 0.01m });

        var body = await response.ReadJsonAsync(HttpStatusCode.Created);
        var tx = body["transaction"]!;
        Assert.Equal("AAPL", (string?)tx["ticker"]);
        Assert.Equal("buy", (string?)tx["action"]);
        Assert.Equal(price, tx["price"].Dec());
        Assert.Equal(decimal.Round(2.5m * price, 2, MidpointRounding.AwayFromZero), tx["total"].Dec());
        Assert.Equal("simulated", (string?)tx["price_source"]);
        Assert.Equal("regular", (string?)tx["market_session"]);
        Assert.Equal(2.5m, body["holding"]!["quantity"].Dec());
        Assert.Equal(tx["total"].Dec(), body["cash"]!["capital_deployed"].Dec());
        Assert.Equal(0m, body["cash"]!["cash_proceeds"].Dec());
    }

    [Fact]
    public async Task The_cash_model_spends_proceeds_before_deploying_new_capital()
    {
        var user = await api.RegisterAsync();
        var price = await PriceAsync(user, "MSFT");

        await (await user.TradeAsync("MSFT", 10, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var sell = await (await user.TradeAsync("MSFT", 4, "sell")).ReadJsonAsync(HttpStatusCode.Created);
        var rebuy = await (await user.TradeAsync("MSFT", 6, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var buyTotal = decimal.Round(10 * price, 2, MidpointRounding.AwayFromZero);
        var sellTotal = decimal.Round(4 * price, 2, MidpointRounding.AwayFromZero);
        var rebuyTotal = decimal.Round(6 * price, 2, MidpointRounding.AwayFromZero);
        Assert.Equal(buyTotal, sell["cash"]!["capital_deployed"].Dec());
        Assert.Equal(sellTotal, sell["cash"]!["cash_proceeds"].Dec());
        Assert.Equal(buyTotal + (rebuyTotal - sellTotal), rebuy["cash"]!["capital_deployed"].Dec());
        Assert.Equal(0m, rebuy["cash"]!["cash_proceeds"].Dec());
        Assert.Equal(12m, rebuy["holding"]!["quantity"].Dec());
    }

    [Fact]
    public async Task Selling_everything_removes_the_holding()
    {
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("KO", 3.25m, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var sell = await (await user.TradeAsync("KO", 3.25m, "sell")).ReadJsonAsync(HttpStatusCode.Created);
        var portfolio = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(0m, sell["holding"]!["quantity"].Dec());
        Assert.Empty(portfolio["holdings"]!.AsArray());
    }

    [Fact]
    public async Task Selling_more_shares_than_held_returns_409_with_what_is_available()
    {
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("NVDA", 5, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var problem = await (await user.TradeAsync("NVDA", 5.000001m, "sell")).ReadProblemAsync(HttpStatusCode.Conflict, "insufficient_shares");

        Assert.Equal(5m, problem["available"].Dec());
    }

    [Fact]
    public async Task Selling_a_ticker_never_held_returns_409()
    {
        var user = await api.RegisterAsync();

        await (await user.TradeAsync("AMZN", 1, "sell")).ReadProblemAsync(HttpStatusCode.Conflict, "insufficient_shares");
    }

    [Fact]
    public async Task An_unknown_ticker_returns_404_unknown_ticker()
    {
        var user = await api.RegisterAsync();

        await (await user.TradeAsync("ZZZZZZ", 1, "buy")).ReadProblemAsync(HttpStatusCode.NotFound, "unknown_ticker");
    }

    [Fact]
    public async Task An_order_worth_more_than_ten_million_is_refused()
    {
        var user = await api.RegisterAsync();

        var problem = await (await user.TradeAsync("SPY", 1_000_000m, "buy")).ReadProblemAsync(HttpStatusCode.BadRequest, "order_too_large");

        Assert.Equal(10_000_000m, problem["max_order_value"].Dec());
    }

    [Fact]
    public async Task An_order_worth_less_than_a_cent_is_refused()
    {
        var user = await api.RegisterAsync();

        await (await user.TradeAsync("F", 0.000001m, "buy")).ReadProblemAsync(HttpStatusCode.BadRequest, "order_too_small");
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_replays_the_first_answer_and_books_once()
    {
        var user = await api.RegisterAsync();

        var first = await (await user.TradeAsync("GOOGL", 2, "buy", "key-1")).ReadJsonAsync(HttpStatusCode.Created);
        var retry = await (await user.TradeAsync("GOOGL", 2, "buy", "key-1")).ReadJsonAsync(HttpStatusCode.OK);
        var ledger = await (await user.Client.Get("/api/v1/portfolio/transactions")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(first.ToJsonString(), retry.ToJsonString());
        Assert.Single(ledger["items"]!.AsArray());
    }

    [Fact]
    public async Task Reusing_an_idempotency_key_for_another_request_returns_409()
    {
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("GOOGL", 2, "buy", "key-2")).ReadJsonAsync(HttpStatusCode.Created);

        await (await user.TradeAsync("GOOGL", 3, "buy", "key-2")).ReadProblemAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
    }

    [Fact]
    public async Task Idempotency_keys_belong_to_one_user()
    {
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();

        await (await alice.TradeAsync("PEP", 1, "buy", "shared-key")).ReadJsonAsync(HttpStatusCode.Created);
        var bobs = await bob.TradeAsync("PEP", 1, "buy", "shared-key");

        await bobs.ReadJsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Fifty_parallel_sells_of_one_holding_never_oversell()
    {
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("JPM", 10, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => user.TradeAsync("JPM", 1, "sell")));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(40, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var portfolio = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(portfolio["holdings"]!.AsArray());
        await AssertLedgerMatchesStateAsync(user);
    }

    [Fact]
    public async Task Fifty_parallel_buys_by_one_user_lose_no_update()
    {
        var user = await api.RegisterAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => user.TradeAsync(i % 2 == 0 ? "V" : "MA", 0.5m, "buy")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var portfolio = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.All(portfolio["holdings"]!.AsArray(), h => Assert.Equal(12.5m, h!["quantity"].Dec()));
        await AssertLedgerMatchesStateAsync(user);
    }

    [Fact]
    public async Task Twenty_parallel_retries_with_one_idempotency_key_book_one_trade()
    {
        var user = await api.RegisterAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => user.TradeAsync("DIS", 1, "buy", "parallel-key")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ledger = await (await user.Client.Get("/api/v1/portfolio/transactions")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Single(ledger["items"]!.AsArray());
        await AssertLedgerMatchesStateAsync(user);
    }

    [Fact]
    public async Task Trading_requires_authentication()
    {
        var response = await api.CreateAnonymousClient().PostJsonAsync("/api/v1/trade", new { ticker = "AAPL", quantity = 1, action = "buy" });

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    /// <summary>Replays the ledger with the cash model and compares with what the API reports as stored state.</summary>
    async Task AssertLedgerMatchesStateAsync(TestUser user)
    {
        var items = (await (await user.Client.Get("/api/v1/portfolio/transactions?limit=200")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        decimal deployed = 0, proceeds = 0;
        var quantities = new Dictionary<string, decimal>();
        foreach (var tx in items.Reverse())
        {
            var total = tx!["total"].Dec();
            var ticker = (string)tx["ticker"]!;
            if ((string?)tx["action"] == "buy")
            {
                var fromCash = Math.Min(proceeds, total);
                proceeds -= fromCash;
                deployed += total - fromCash;
                quantities[ticker] = quantities.GetValueOrDefault(ticker) + tx["quantity"].Dec();
            }
            else
            {
                proceeds += total;
                quantities[ticker] = quantities.GetValueOrDefault(ticker) - tx["quantity"].Dec();
            }
        }
        var portfolio = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(deployed, portfolio["totals"]!["capital_deployed"].Dec());
        Assert.Equal(proceeds, portfolio["totals"]!["cash_proceeds"].Dec());
        var held = portfolio["holdings"]!.AsArray().ToDictionary(h => (string)h!["ticker"]!, h => h!["quantity"].Dec());
        Assert.Equal(quantities.Where(q => q.Value != 0).OrderBy(q => q.Key), held.OrderBy(q => q.Key));
        await api.AssertNoLedgerDriftAsync(user.Id);
    }
}

public sealed class HoldingCapTests
{
    [Fact]
    public async Task Buying_a_new_ticker_beyond_the_holdings_cap_returns_409_but_adding_to_a_held_one_works()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, new Dictionary<string, string?> { ["Trading:MaxHoldings"] = "2" });
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("AAPL", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await (await user.TradeAsync("MSFT", 1, "buy")).ReadJsonAsync(HttpStatusCode.Created);

        var third = await user.TradeAsync("NVDA", 1, "buy");
        var more = await user.TradeAsync("AAPL", 1, "buy");

        var problem = await third.ReadProblemAsync(HttpStatusCode.Conflict, "too_many_holdings");
        Assert.Equal(2, (int)problem["max_holdings"]!);
        await more.ReadJsonAsync(HttpStatusCode.Created);
    }
}

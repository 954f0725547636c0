using System.Net;
using System.Text.Json.Nodes;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests;

/// <summary>Trades placed while the market is closed. Each test owns its clock, because it moves it.</summary>
public sealed class PendingTradeTests
{
    /// <summary>Friday 6 March 2026, 17:00 New York (EST, after the close); the next open is Monday 9 March after the DST switch.</summary>
    static readonly DateTimeOffset FridayEvening = new(2026, 3, 6, 22, 0, 0, TimeSpan.Zero);

    /// <summary>Monday 9 March 2026 09:30 New York is 13:30 UTC (EDT since Sunday), not 14:30.</summary>
    static readonly DateTimeOffset MondayOpenAfterDst = new(2026, 3, 9, 13, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_trade_while_closed_is_queued_for_the_next_real_open_across_the_dst_switch()
    {
        await using var api = await ApiFactory.StartAsync(FridayEvening);
        var user = await api.RegisterAsync();

        var body = await (await user.TradeAsync("AAPL", 3, "buy")).ReadJsonAsync(HttpStatusCode.Accepted);

        var pending = body["pending"]!;
        Assert.Equal("queued", (string?)pending["status"]);
        Assert.Equal("AAPL", (string?)pending["ticker"]);
        Assert.Equal(3m, pending["quantity"].Dec());
        Assert.Equal(MondayOpenAfterDst, DateTimeOffset.Parse((string)pending["executes_at"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_market_open_job_settles_queued_trades_at_the_session_opening_price()
    {
        await using var api = await ApiFactory.StartAsync(FridayEvening);
        var user = await api.RegisterAsync();
        var queued = await (await user.TradeAsync("MSFT", 2, "buy")).ReadJsonAsync(HttpStatusCode.Accepted);
        var id = (long)queued["pending"]!["id"]!;

        await api.MoveClockAsync(MondayOpenAfterDst.AddMinutes(1), user);
        var settled = await WaitForStatusAsync(user, id, "executed");

        var ledger = await (await user.Client.Get("/api/v1/portfolio/transactions")).ReadJsonAsync(HttpStatusCode.OK);
        var tx = Assert.Single(ledger["items"]!.AsArray())!;
        var openPrice = await OpenPriceAsync(api, "MSFT", new DateOnly(2026, 3, 9));
        Assert.Equal(openPrice, tx["price"].Dec());
        Assert.Equal("session_open", (string?)tx["price_source"]);
        Assert.Equal(MondayOpenAfterDst, DateTimeOffset.Parse((string)tx["executed_at"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((long)tx["id"]!, (long)settled["transaction_id"]!);
    }

    [Fact]
    public async Task Settlement_catches_up_after_downtime_at_the_missed_sessions_open_price()
    {
        await using var api = await ApiFactory.StartAsync(FridayEvening);
        var user = await api.RegisterAsync();
        var queued = await (await user.TradeAsync("KO", 5, "buy")).ReadJsonAsync(HttpStatusCode.Accepted);

        // Run the settlement as the job would on start-up, two days late.
        await api.MoveClockAsync(new DateTimeOffset(2026, 3, 11, 16, 0, 0, TimeSpan.Zero), user);
        await WaitForStatusAsync(user, (long)queued["pending"]!["id"]!, "executed");

        var tx = (await (await user.Client.Get("/api/v1/portfolio/transactions")).ReadJsonAsync(HttpStatusCode.OK))["items"]![0]!;
        Assert.Equal(await OpenPriceAsync(api, "KO", new DateOnly(2026, 3, 9)), tx["price"].Dec());
    }

    [Fact]
    public async Task Queued_sells_count_against_the_shares_available_to_sell()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning);
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("T", 10, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await api.MoveClockAsync(new DateTimeOffset(2026, 3, 2, 23, 0, 0, TimeSpan.Zero), user);

        await (await user.TradeAsync("T", 6, "sell")).ReadJsonAsync(HttpStatusCode.Accepted);
        var second = await user.TradeAsync("T", 6, "sell");

        var problem = await second.ReadProblemAsync(HttpStatusCode.Conflict, "insufficient_shares");
        Assert.Equal(4m, problem["available"].Dec());
    }

    [Fact]
    public async Task A_queued_trade_can_be_canceled_once_and_is_then_not_settled()
    {
        await using var api = await ApiFactory.StartAsync(FridayEvening);
        var user = await api.RegisterAsync();
        var id = (long)(await (await user.TradeAsync("PFE", 1, "buy")).ReadJsonAsync(HttpStatusCode.Accepted))["pending"]!["id"]!;

        var cancel = await (await user.Client.DeleteAsync($"/api/v1/portfolio/pending-trades/{id}", TestContext.Current.CancellationToken))
            .ReadJsonAsync(HttpStatusCode.OK);
        var again = await user.Client.DeleteAsync($"/api/v1/portfolio/pending-trades/{id}", TestContext.Current.CancellationToken);
        await api.MoveClockAsync(MondayOpenAfterDst.AddMinutes(5), user);
        await Task.Delay(300, TestContext.Current.CancellationToken);

        Assert.Equal("canceled", (string?)cancel["status"]);
        Assert.Equal("canceled", (string?)(await again.ReadProblemAsync(HttpStatusCode.Conflict, "not_cancelable"))["current_status"]);
        var ledger = await (await user.Client.Get("/api/v1/portfolio/transactions")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(ledger["items"]!.AsArray());
    }

    [Fact]
    public async Task Another_users_pending_trade_is_not_found()
    {
        await using var api = await ApiFactory.StartAsync(FridayEvening);
        var owner = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        var id = (long)(await (await owner.TradeAsync("PFE", 1, "buy")).ReadJsonAsync(HttpStatusCode.Accepted))["pending"]!["id"]!;

        var response = await other.Client.DeleteAsync($"/api/v1/portfolio/pending-trades/{id}", TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        var mine = await (await other.Client.Get("/api/v1/portfolio/pending-trades")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(mine["items"]!.AsArray());
    }

    [Fact]
    public async Task A_queued_sell_settles_at_the_next_open_and_closes_the_position()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning);
        var user = await api.RegisterAsync();
        await (await user.TradeAsync("XOM", 2, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await api.MoveClockAsync(new DateTimeOffset(2026, 3, 2, 23, 0, 0, TimeSpan.Zero), user);
        var id = (long)(await (await user.TradeAsync("XOM", 2, "sell")).ReadJsonAsync(HttpStatusCode.Accepted))["pending"]!["id"]!;

        // The job is what settles; run it now, once the next session (Tuesday) has opened.
        await api.MoveClockAsync(new DateTimeOffset(2026, 3, 3, 14, 31, 0, TimeSpan.Zero), user);
        var settled = await WaitForStatusAsync(user, id, "executed");

        Assert.NotNull(settled["settled_at"]);
        var portfolio = await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(portfolio["holdings"]!.AsArray());
    }

    static async Task<decimal> OpenPriceAsync(ApiFactory api, string ticker, DateOnly session)
    {
        var provider = (Api.Features.MarketData.SimulatedQuoteProvider)api.Services.GetService(typeof(Api.Features.MarketData.SimulatedQuoteProvider))!;
        return (await provider.GetSessionOpenAsync(ticker, session, TestContext.Current.CancellationToken))!.Value;
    }

    static async Task<JsonNode> WaitForStatusAsync(TestUser user, long id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var list = await (await user.Client.Get("/api/v1/portfolio/pending-trades")).ReadJsonAsync(HttpStatusCode.OK);
            var item = list["items"]!.AsArray().Single(p => (long)p!["id"]! == id)!;
            if ((string?)item["status"] == status)
            {
                return item;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Pending trade {id} is still {(string?)item["status"]}, expected {status}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

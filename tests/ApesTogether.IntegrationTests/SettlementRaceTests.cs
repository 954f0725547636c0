using System.Net;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests;

public sealed class SettlementRaceTests
{
    [Fact]
    public async Task Live_buys_and_sells_racing_the_market_open_settlement_lose_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiFactory.StartAsync(new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.Zero));
        var users = new List<TestUser>();
        for (var i = 0; i < 5; i++)
        {
            var user = await api.RegisterAsync();
            await (await user.TradeAsync("AMD", 20, "buy")).ReadJsonAsync(HttpStatusCode.Created);
            users.Add(user);
        }
        await api.MoveClockAsync(new DateTimeOffset(2026, 3, 6, 22, 0, 0, TimeSpan.Zero), [.. users]);
        foreach (var user in users)
        {
            await (await user.TradeAsync("AMD", 5, "buy")).ReadJsonAsync(HttpStatusCode.Accepted);
            await (await user.TradeAsync("AMD", 4, "sell")).ReadJsonAsync(HttpStatusCode.Accepted);
            await (await user.TradeAsync("MSFT", 3, "buy")).ReadJsonAsync(HttpStatusCode.Accepted);
        }

        // Monday's open (13:30 UTC after the DST switch) wakes the job while the users trade live.
        await api.MoveClockAsync(new DateTimeOffset(2026, 3, 9, 13, 30, 1, TimeSpan.Zero), [.. users]);
        var live = await Task.WhenAll(users.SelectMany(u => Enumerable.Range(0, 20).Select(i => u.TradeAsync("AMD", 1, i % 2 == 0 ? "buy" : "sell"))));
        await WaitUntilSettledAsync(users, ct);

        Assert.All(live, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        foreach (var user in users)
        {
            var pending = await (await user.Client.Get("/api/v1/portfolio/pending-trades")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.All(pending["items"]!.AsArray(), p => Assert.Equal("executed", (string?)p!["status"]));
            var holdings = (await (await user.Client.Get("/api/v1/portfolio/realtime")).ReadJsonAsync(HttpStatusCode.OK))["holdings"]!.AsArray()
                .ToDictionary(h => (string)h!["ticker"]!, h => h!["quantity"].Dec());
            Assert.Equal(21m, holdings["AMD"]);
            Assert.Equal(3m, holdings["MSFT"]);
            await api.AssertNoLedgerDriftAsync(user.Id);
        }
    }

    static async Task WaitUntilSettledAsync(List<TestUser> users, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var user in users)
        {
            while (true)
            {
                var pending = await (await user.Client.Get("/api/v1/portfolio/pending-trades")).ReadJsonAsync(HttpStatusCode.OK);
                if (pending["items"]!.AsArray().All(p => (string?)p!["status"] != "queued"))
                {
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, "Pending trades were not settled in time.");
                await Task.Delay(50, ct);
            }
        }
    }
}

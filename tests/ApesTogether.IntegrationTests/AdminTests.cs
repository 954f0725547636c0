using System.Net;
using ApesTogether.Api.Data;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests;

public sealed class AdminTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Health_metrics_report_database_connections_against_the_pool_limit()
    {
        var admin = await api.AdminAsync();

        var body = await (await admin.Client.Get("/admin/metrics/health")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(30, (int)body["db_connection_limit"]!);
        var connections = (int)body["db_connections"]!;
        Assert.True(connections >= (api.DatabaseKind == DatabaseKind.Postgres ? 1 : 0));
        Assert.Equal(decimal.Round(connections * 100m / 30, 1), body["db_connection_percent"].Dec());
        Assert.Equal(api.DatabaseKind == DatabaseKind.Postgres ? "postgres" : "sqlite", (string?)body["database_provider"]);
        Assert.NotNull(body["pool"]!["opened_by_this_process"]);
        Assert.NotNull(body["warnings"]!.AsArray());
        Assert.Equal(0, (int)body["notifications_today"]!);
        Assert.Equal(0, (int)body["outbox"]!["dead"]!);
    }

    [Fact]
    public async Task Admin_endpoints_are_403_for_users_and_401_for_anonymous()
    {
        var user = await api.RegisterAsync();

        var asUser = await user.Client.Get("/admin/metrics/health");
        var asAnonymous = await api.CreateAnonymousClient().Get("/admin/metrics/health");

        await asUser.ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await asAnonymous.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Reconciliation_finds_drift_between_stored_state_and_ledger_and_repairs_it()
    {
        var admin = await api.AdminAsync();
        var trader = await api.RegisterAsync();
        await (await trader.TradeAsync("AAPL", 5, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        await (await trader.TradeAsync("AAPL", 2, "sell")).ReadJsonAsync(HttpStatusCode.Created);
        var clean = await (await admin.Client.PostAsync($"/admin/ledger/reconcile?username={trader.Username}", null, TestContext.Current.CancellationToken))
            .ReadJsonAsync(HttpStatusCode.OK);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var holding = await db.Holdings.SingleAsync(h => h.UserId == trader.Id, TestContext.Current.CancellationToken);
            holding.Quantity = 7m;
            var cash = await db.CashAccounts.SingleAsync(c => c.UserId == trader.Id, TestContext.Current.CancellationToken);
            cash.CashProceeds += 1000m;
            var sale = await db.Transactions.OrderBy(t => t.Id).LastAsync(t => t.UserId == trader.Id, TestContext.Current.CancellationToken);
            sale.CashProceedsAfter += 1m;
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var found = await (await admin.Client.PostAsync($"/admin/ledger/reconcile?username={trader.Username}", null, TestContext.Current.CancellationToken))
            .ReadJsonAsync(HttpStatusCode.OK);
        var repaired = await (await admin.Client.PostAsync($"/admin/ledger/reconcile?username={trader.Username}&repair=true", null, TestContext.Current.CancellationToken))
            .ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(0, (int)clean["users_with_drift"]!);
        var drift = found["drifts"]![0]!;
        Assert.Equal(2, (int)drift["transactions"]!);
        Assert.Equal(1000m, drift["cash"]!["stored_cash_proceeds"].Dec() - drift["cash"]!["rebuilt_cash_proceeds"].Dec());
        Assert.Equal(7m, drift["holdings"]![0]!["stored_quantity"].Dec());
        Assert.Equal(3m, drift["holdings"]![0]!["rebuilt_quantity"].Dec());
        Assert.Equal(1, (int)drift["ledger_rows_with_wrong_cash_after"]!);
        Assert.True((bool)repaired["repaired"]!);
        await api.AssertNoLedgerDriftAsync(trader.Id);
    }

    [Fact]
    public async Task Reconciling_everyone_checks_every_user()
    {
        var admin = await api.AdminAsync();
        await api.RegisterAsync();

        var report = await (await admin.Client.PostAsync("/admin/ledger/reconcile", null, TestContext.Current.CancellationToken)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True((int)report["users_checked"]! >= 2);
    }

    [Fact]
    public async Task Reconciling_an_unknown_user_is_404()
    {
        var admin = await api.AdminAsync();

        var response = await admin.Client.PostAsync("/admin/ledger/reconcile?username=nobody_at_all", null, TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.NotFound, "user_not_found");
    }
}

using System.Net;
using System.Text.Json.Nodes;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Scheduling;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests;

public sealed class SubscriptionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<HttpResponseMessage> SubscribeAsync(TestUser subscriber, TestUser creator, string? receipt = null, string? tier = null) =>
        subscriber.Client.PostJsonAsync("/api/v1/subscriptions", new { username = creator.Username, receipt, tier, platform = "ios" });

    static async Task<JsonObject> PublicAsync(HttpClient client, TestUser owner) =>
        await (await client.Get($"/api/v1/portfolio/public/{owner.Username}")).ReadJsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task Tiers_list_monthly_and_yearly_with_monthly_prices()
    {
        var response = await api.CreateAnonymousClient().Get("/api/v1/subscription-tiers");
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tiers = JsonNode.Parse(text)!.AsArray();

        Assert.Equal(["monthly", "yearly"], tiers.Select(t => (string)t!["id"]!));
        Assert.Equal(9.00m, tiers[0]!["monthly_price"].Dec());
        Assert.Equal(9.00m, tiers[0]!["price"].Dec());
        Assert.Equal(1, (int)tiers[0]!["period_months"]!);
        Assert.Equal(5.75m, tiers[1]!["monthly_price"].Dec());
        Assert.Equal(69.00m, tiers[1]!["price"].Dec());
        Assert.Equal(12, (int)tiers[1]!["period_months"]!);
        Assert.All(tiers, t => Assert.False(string.IsNullOrEmpty((string?)t!["name"])));
    }

    [Fact]
    public async Task Tiers_come_from_configuration()
    {
        await using var own = await ApiFactory.StartAsync(ApiFactory.MondayMorning, new Dictionary<string, string?>
        {
            ["Subscriptions:Tiers:yearly:Price"] = "60.00",
            ["Subscriptions:Tiers:quarterly:Name"] = "Quarterly",
            ["Subscriptions:Tiers:quarterly:Price"] = "25.00",
            ["Subscriptions:Tiers:quarterly:PeriodMonths"] = "3",
        });
        var creator = await own.RegisterAsync();
        var fan = await own.RegisterAsync();

        var tiers = JsonNode.Parse(await (await own.CreateAnonymousClient().Get("/api/v1/subscription-tiers")).Content.ReadAsStringAsync(Ct))!.AsArray();
        var created = await (await SubscribeAsync(fan, creator, tier: "quarterly")).ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal(["monthly", "quarterly", "yearly"], tiers.Select(t => (string)t!["id"]!));
        Assert.Equal(8.33m, tiers[1]!["monthly_price"].Dec());
        Assert.Equal(60.00m, tiers[2]!["price"].Dec());
        Assert.Equal(5.00m, tiers[2]!["monthly_price"].Dec());
        Assert.Equal(25.00m, created["price"].Dec());
        Assert.Equal(created["started_at"]!.GetValue<DateTime>().AddMonths(3), created["renews_at"]!.GetValue<DateTime>());
    }

    [Fact]
    public async Task Subscribe_answers_201_with_the_subscription()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();

        var body = await (await SubscribeAsync(fan, creator, receipt: "sandbox-abc")).ReadJsonAsync(HttpStatusCode.Created);

        Assert.True((long)body["id"]! > 0);
        Assert.Equal(creator.Username, (string?)body["creator"]);
        Assert.Equal("active", (string?)body["status"]);
        Assert.Equal("monthly", (string?)body["tier"]);
        Assert.Equal(9.00m, body["price"].Dec());
        var started = body["started_at"]!.GetValue<DateTime>();
        Assert.Equal(api.Clock.GetUtcNow().UtcDateTime, started);
        Assert.Equal(started.AddMonths(1), body["renews_at"]!.GetValue<DateTime>());
    }

    [Fact]
    public async Task The_yearly_tier_costs_69_and_runs_12_months()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();

        var body = await (await SubscribeAsync(fan, creator, tier: "yearly")).ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal(69.00m, body["price"].Dec());
        Assert.Equal(body["started_at"]!.GetValue<DateTime>().AddMonths(12), body["renews_at"]!.GetValue<DateTime>());
    }

    [Fact]
    public async Task Subscribing_to_yourself_is_409()
    {
        var creator = await api.RegisterAsync();

        await (await SubscribeAsync(creator, creator)).ReadProblemAsync(HttpStatusCode.Conflict, "cannot_subscribe_to_self");
    }

    [Fact]
    public async Task Subscribing_twice_is_409_already_subscribed()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        await (await SubscribeAsync(fan, creator)).ReadJsonAsync(HttpStatusCode.Created);

        await (await SubscribeAsync(fan, creator)).ReadProblemAsync(HttpStatusCode.Conflict, "already_subscribed");
    }

    [Fact]
    public async Task A_canceled_but_paid_subscription_still_blocks_a_second_one()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        var id = (long)(await (await SubscribeAsync(fan, creator)).ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        await (await fan.Client.DeleteAsync($"/api/v1/subscriptions/{id}", Ct)).ReadJsonAsync(HttpStatusCode.OK);

        await (await SubscribeAsync(fan, creator)).ReadProblemAsync(HttpStatusCode.Conflict, "already_subscribed");
    }

    [Fact]
    public async Task An_unknown_creator_is_404()
    {
        var fan = await api.RegisterAsync();

        var response = await fan.Client.PostJsonAsync("/api/v1/subscriptions", new { username = "nobody_here_at_all" });

        await response.ReadProblemAsync(HttpStatusCode.NotFound, "user_not_found");
    }

    [Fact]
    public async Task A_rejected_receipt_is_402()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();

        await (await SubscribeAsync(fan, creator, receipt: "forged-receipt")).ReadProblemAsync(HttpStatusCode.PaymentRequired, "receipt_invalid");
        var mine = await (await fan.Client.Get("/api/v1/subscriptions")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Empty(mine["items"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"username":""}""")]
    [InlineData("""{"username":"someone","platform":"windows"}""")]
    [InlineData("""{"username":"someone","tier":"weekly"}""")]
    [InlineData("""{}""")]
    public async Task Bad_input_is_400(string json)
    {
        var fan = await api.RegisterAsync();

        var response = await fan.Client.PostAsync("/api/v1/subscriptions",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Subscribing_needs_a_token()
    {
        var response = await api.CreateAnonymousClient().PostJsonAsync("/api/v1/subscriptions", new { username = "someone" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Parallel_subscribes_create_one_row()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SubscribeAsync(fan, creator)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await response.ReadProblemAsync(HttpStatusCode.Conflict, "already_subscribed");
        }
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(1, await db.Subscriptions.CountAsync(s => s.SubscriberUserId == fan.Id && s.CreatorUserId == creator.Id, Ct));
    }

    [Fact]
    public async Task I_list_my_subscriptions_and_my_subscribers()
    {
        var creator = await api.RegisterAsync();
        var other = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        var quitter = await api.RegisterAsync();
        await (await SubscribeAsync(fan, creator)).ReadJsonAsync(HttpStatusCode.Created);
        await (await SubscribeAsync(fan, other, tier: "yearly")).ReadJsonAsync(HttpStatusCode.Created);
        var quit = (long)(await (await SubscribeAsync(quitter, creator)).ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        await (await quitter.Client.DeleteAsync($"/api/v1/subscriptions/{quit}", Ct)).ReadJsonAsync(HttpStatusCode.OK);

        var mine = (await (await fan.Client.Get("/api/v1/subscriptions")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        var subscribers = await (await creator.Client.Get("/api/v1/subscribers")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal([other.Username, creator.Username], mine.Select(s => (string)s!["creator"]!));
        Assert.All(mine, s => Assert.Equal("active", (string?)s!["status"]));
        Assert.All(mine, s => Assert.NotNull(s!["access_until"]));
        Assert.Equal(2, (int)subscribers["count"]!);
        var items = subscribers["items"]!.AsArray();
        Assert.Equal([quitter.Username, fan.Username], items.Select(s => (string)s!["username"]!));
        Assert.Equal(["canceled", "active"], items.Select(s => (string)s!["status"]!));
        Assert.All(items, s => Assert.NotNull(s!["access_until"]));
        Assert.Equal(0, (int)(await (await fan.Client.Get("/api/v1/subscribers")).ReadJsonAsync(HttpStatusCode.OK))["count"]!);
    }

    [Fact]
    public async Task Canceling_is_idempotent_and_only_for_my_own()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        var created = await (await SubscribeAsync(fan, creator)).ReadJsonAsync(HttpStatusCode.Created);
        var id = (long)created["id"]!;

        await (await creator.Client.DeleteAsync($"/api/v1/subscriptions/{id}", Ct)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        var first = await (await fan.Client.DeleteAsync($"/api/v1/subscriptions/{id}", Ct)).ReadJsonAsync(HttpStatusCode.OK);
        var second = await (await fan.Client.DeleteAsync($"/api/v1/subscriptions/{id}", Ct)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(id, (long)first["id"]!);
        Assert.Equal("canceled", (string?)first["status"]);
        Assert.Equal(created["renews_at"]!.GetValue<DateTime>(), first["access_until"]!.GetValue<DateTime>());
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        await (await fan.Client.DeleteAsync("/api/v1/subscriptions/999999999", Ct)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Renewal_extends_the_period_by_the_tier_and_needs_a_good_receipt()
    {
        var creator = await api.RegisterAsync();
        var fan = await api.RegisterAsync();
        var created = await (await SubscribeAsync(fan, creator, receipt: "sandbox-1")).ReadJsonAsync(HttpStatusCode.Created);
        var id = (long)created["id"]!;
        var end = created["renews_at"]!.GetValue<DateTime>();
        await (await fan.Client.DeleteAsync($"/api/v1/subscriptions/{id}", Ct)).ReadJsonAsync(HttpStatusCode.OK);

        await (await fan.Client.PostJsonAsync($"/api/v1/subscriptions/{id}/renew", new { receipt = "forged" }))
            .ReadProblemAsync(HttpStatusCode.PaymentRequired, "receipt_invalid");
        var renewed = await (await fan.Client.PostJsonAsync($"/api/v1/subscriptions/{id}/renew", new { receipt = "sandbox-2" }))
            .ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("active", (string?)renewed["status"]);
        Assert.Equal(end.AddMonths(1), renewed["access_until"]!.GetValue<DateTime>());
        await (await creator.Client.PostJsonAsync($"/api/v1/subscriptions/{id}/renew", new { receipt = "sandbox-3" }))
            .ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Public_portfolio_is_full_for_the_owner_and_subscribers_with_access_only()
    {
        await using var own = await ApiFactory.StartAsync(ApiFactory.MondayMorning);
        var creator = await own.RegisterAsync();
        await (await creator.TradeAsync("AAPL", 2, "buy")).ReadJsonAsync(HttpStatusCode.Created);
        var active = await own.RegisterAsync();
        var canceled = await own.RegisterAsync();
        var lapsed = await own.RegisterAsync();
        var other = await own.RegisterAsync();
        await (await SubscribeAsync(active, creator, tier: "yearly")).ReadJsonAsync(HttpStatusCode.Created);
        var canceledId = (long)(await (await SubscribeAsync(canceled, creator)).ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        var lapsedId = (long)(await (await SubscribeAsync(lapsed, creator)).ReadJsonAsync(HttpStatusCode.Created))["id"]!;
        var canceledAt = await (await canceled.Client.DeleteAsync($"/api/v1/subscriptions/{canceledId}", Ct)).ReadJsonAsync(HttpStatusCode.OK);

        // Canceled, but paid up: still full; and every subscriber with access counts.
        foreach (var viewer in new[] { creator, active, canceled, lapsed })
        {
            var seen = await PublicAsync(viewer.Client, creator);
            Assert.Equal("full", (string?)seen["access"]);
            Assert.Equal(["AAPL"], seen["holdings"]!.AsArray().Select(h => (string)h!["ticker"]!));
            Assert.NotEmpty(seen["recent_trades"]!.AsArray());
        }
        foreach (var client in new[] { other.Client, own.CreateAnonymousClient() })
        {
            var seen = await PublicAsync(client, creator);
            Assert.Equal("preview", (string?)seen["access"]);
            Assert.Null(seen["holdings"]);
            Assert.Null(seen["recent_trades"]);
        }
        Assert.Equal(3, (int)(await PublicAsync(other.Client, creator))["user"]!["subscriber_count"]!);

        // Past the monthly period (the yearly one runs on), and after the expiry job: the monthly subscriptions end.
        var after = new DateTimeOffset(canceledAt["access_until"]!.GetValue<DateTime>()).AddHours(1);
        await own.MoveClockAsync(after, creator, active, canceled, lapsed, other);
        var job = own.Services.GetServices<IScheduledJob>().Single(j => j.Name == "subscription-expiry");
        await using (var scope = own.Services.CreateAsyncScope())
        {
            // The scheduler's own loop may have swept them already when the clock moved; either way the run succeeds.
            Assert.Matches("^[02] subscriptions expired$", await job.RunAsync(scope.ServiceProvider, own.Clock.GetUtcNow(), Ct));
        }

        Assert.Equal("full", (string?)(await PublicAsync(creator.Client, creator))["access"]);
        Assert.Equal("full", (string?)(await PublicAsync(active.Client, creator))["access"]);
        Assert.Equal("preview", (string?)(await PublicAsync(canceled.Client, creator))["access"]);
        Assert.Equal("preview", (string?)(await PublicAsync(lapsed.Client, creator))["access"]);
        Assert.Equal(1, (int)(await PublicAsync(other.Client, creator))["user"]!["subscriber_count"]!);
        var mine = (await (await canceled.Client.Get("/api/v1/subscriptions")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal("expired", (string?)mine.Single()!["status"]);
        Assert.False((bool)mine.Single()!["has_access"]!);
        var subscribers = await (await creator.Client.Get("/api/v1/subscribers")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)subscribers["count"]!);
        Assert.Equal(2, subscribers["items"]!.AsArray().Count(s => (string?)s!["status"] == "expired"));

        // An expired subscription cannot be renewed or canceled back to life, but a new one can start.
        await (await lapsed.Client.PostJsonAsync($"/api/v1/subscriptions/{lapsedId}/renew", new { receipt = "sandbox-late" }))
            .ReadProblemAsync(HttpStatusCode.Conflict, "subscription_expired");
        Assert.Equal("expired", (string?)(await (await lapsed.Client.DeleteAsync($"/api/v1/subscriptions/{lapsedId}", Ct))
            .ReadJsonAsync(HttpStatusCode.OK))["status"]);
        await (await SubscribeAsync(lapsed, creator)).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("full", (string?)(await PublicAsync(lapsed.Client, creator))["access"]);
    }

    [Fact]
    public async Task A_period_that_ended_before_the_job_ran_grants_no_access_and_does_not_block_resubscribing()
    {
        await using var own = await ApiFactory.StartAsync(ApiFactory.MondayMorning);
        var creator = await own.RegisterAsync();
        var fan = await own.RegisterAsync();
        var created = await (await SubscribeAsync(fan, creator)).ReadJsonAsync(HttpStatusCode.Created);

        await own.MoveClockAsync(new DateTimeOffset(created["renews_at"]!.GetValue<DateTime>()).AddMinutes(1), creator, fan);

        Assert.Equal("preview", (string?)(await PublicAsync(fan.Client, creator))["access"]);
        Assert.Equal(0, (int)(await PublicAsync(fan.Client, creator))["user"]!["subscriber_count"]!);
        await (await SubscribeAsync(fan, creator)).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("full", (string?)(await PublicAsync(fan.Client, creator))["access"]);
    }

    [Fact]
    public void The_expiry_job_ticks_every_15_minutes()
    {
        var job = api.Services.GetServices<IScheduledJob>().Single(j => j.Name == "subscription-expiry");
        var at = new DateTimeOffset(2026, 3, 2, 15, 7, 30, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 15, 0, TimeSpan.Zero), job.NextTick(at));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 15, 30, 0, TimeSpan.Zero), job.NextTick(new DateTimeOffset(2026, 3, 2, 15, 15, 0, TimeSpan.Zero)));
        Assert.False(job.RunsEveryMissedTick);
        Assert.Equal([at], job.CatchUpTicks(at));
    }
}

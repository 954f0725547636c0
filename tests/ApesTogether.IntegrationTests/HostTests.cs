using System.Net;
using ApesTogether.Api.Features.Scheduling;
using ApesTogether.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ApesTogether.IntegrationTests;

public sealed class HostTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Liveness_and_readiness_answer_and_readiness_checks_the_database()
    {
        var client = api.CreateAnonymousClient();

        var live = await (await client.Get("/health/live")).ReadJsonAsync(HttpStatusCode.OK);
        var ready = await (await client.Get("/health/ready")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal("healthy", (string?)live["status"]);
        Assert.Empty(live["checks"]!.AsObject());
        Assert.Equal("healthy", (string?)ready["checks"]!["database"]!["status"]);
    }

    [Fact]
    public async Task The_openapi_document_is_served_in_development()
    {
        var body = await (await api.CreateAnonymousClient().Get("/openapi/v1.json")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True(body["paths"]!.AsObject().ContainsKey("/api/v1/trade"));
    }

    [Fact]
    public async Task An_unknown_route_is_a_problem_404()
    {
        await (await api.CreateAnonymousClient().Get("/api/v1/nothing-here")).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public void All_roles_run_by_default_including_every_scheduled_job()
    {
        var scheduler = Assert.Single(api.Services.GetServices<IHostedService>().OfType<SchedulerHost>());

        Assert.Equal(["market-open", "price-refresh", "intraday", "market-close", "cleanup", "leaderboard", "subscription-expiry"], scheduler.Jobs);
    }
}

public sealed class RoleTests
{
    [Fact]
    public async Task An_api_only_process_runs_no_scheduled_job()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, new Dictionary<string, string?> { ["Roles"] = "api" });

        var status = await api.CreateAnonymousClient().Get("/api/v1/market/status");

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.DoesNotContain(api.Services.GetServices<IHostedService>(), s => s is SchedulerHost);
    }

    [Fact]
    public async Task A_scheduler_only_process_serves_health_but_no_api_routes()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning, new Dictionary<string, string?> { ["Roles"] = "scheduler" });

        var live = await api.CreateAnonymousClient().Get("/health/live");
        var status = await api.CreateAnonymousClient().Get("/api/v1/market/status");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Contains(api.Services.GetServices<IHostedService>(), s => s is SchedulerHost);
    }

    [Fact]
    public async Task An_unknown_role_stops_the_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            ApiFactory.StartAsync(ApiFactory.MondayMorning, new Dictionary<string, string?> { ["Roles"] = "api,cook" }));

        Assert.Contains("Roles", error.ToString(), StringComparison.Ordinal);
    }
}

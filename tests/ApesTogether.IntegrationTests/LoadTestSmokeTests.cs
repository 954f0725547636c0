using System.Net;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Notifications;
using ApesTogether.Api.Features.Ops;
using ApesTogether.Api.Features.Subscriptions;
using ApesTogether.Api.Features.Trades;
using ApesTogether.IntegrationTests.Infrastructure;
using ApesTogether.LoadTest;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ApesTogether.IntegrationTests;

/// <summary>
/// Both commands end to end: <c>seed</c> fills a small database through its own code path, the real service listens on
/// Kestrel at 127.0.0.1 (a socket, not the in-memory test server), and the load-test runner drives the guide's scenario
/// over HTTP for a few seconds.
/// </summary>
public sealed class LoadTestSmokeTests
{
    [Fact]
    public async Task A_seeded_service_serves_a_short_load_run_without_a_failure()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = TestDatabase.Create();
        await database.CreateAsync();
        try
        {
            await using var api = new KestrelApi(database, new FakeTimeProvider(ApiFactory.MondayMorning));
            api.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            api.StartServer();

            var options = new SeedOptions { Users = 20, Days = 30, Seed = 7, FanoutSubscribers = 5 };
            var seeded = await Seeder.SeedAsync(api.Services, options, TextWriter.Null, ct);
            Assert.Equal(22, seeded.Users);
            Assert.True(seeded.Trades > 22 && seeded.DailySnapshots > 0 && seeded.IntradaySnapshots > 0 && seeded.DailyPrices > 0);
            await using (var scope = api.Services.CreateAsyncScope())
            {
                var reconciliation = await scope.ServiceProvider.GetRequiredService<LedgerReconciler>().ReconcileAllAsync(repair: false, ct);
                Assert.Equal(22, reconciliation.UsersChecked);
                Assert.Equal(0, reconciliation.UsersWithDrift);
            }
            var social = await SocialRowsAsync(api.Services, ct);
            await using (var scope = api.Services.CreateAsyncScope())
            {
                var counts = scope.ServiceProvider.GetRequiredService<SubscriberCounts>();
                var now = api.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
                Assert.Equal(seeded.Subscriptions, social.Subscriptions.Count);
                Assert.All(social.Subscriptions, s =>
                {
                    Assert.NotEqual(s.SubscriberUserId, s.CreatorUserId);
                    Assert.Equal(SubscriptionStatus.Active, s.Status);
                    Assert.True(s.CurrentPeriodEnd > now && s.StartedAt <= now);
                    Assert.True(SubscriberCounts.GrantsAccess(s, now));
                });
                Assert.Equal(social.Subscriptions.Count, social.Subscriptions.Select(s => (s.SubscriberUserId, s.CreatorUserId)).Distinct().Count());
                // The fan-out subscribers (user00001 … user00005, ids 3 … 7) have access to stockguru and a device each.
                for (long id = 3; id <= 7; id++)
                {
                    Assert.True(await counts.HasAccessAsync(id, Seeder.TraderId, ct));
                    Assert.Contains(social.Devices, d => d.UserId == id);
                }
                var guruCount = await counts.CountAsync(Seeder.TraderId, ct);
                Assert.True(guruCount >= 5);
                Assert.Equal(social.Subscriptions.Count(s => s.CreatorUserId == Seeder.TraderId), guruCount);
                // The board's counts come from the same rule.
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                Assert.All(await db.LeaderboardEntries.Where(e => e.UserId == Seeder.TraderId).ToListAsync(ct), e => Assert.Equal(guruCount, e.SubscriberCount));

                // One or two devices per account, on ios or android; a few notification settings, none on a fan-out subscriber.
                Assert.Equal(seeded.DeviceTokens, social.Devices.Count);
                Assert.All(social.Devices.GroupBy(d => d.UserId), g => Assert.InRange(g.Count(), 1, 2));
                Assert.Equal(22, social.Devices.Select(d => d.UserId).Distinct().Count());
                Assert.All(social.Devices, d => Assert.Contains(d.Platform, new[] { "ios", "android" }));
                Assert.Equal(seeded.NotificationSettings, social.Settings.Count);
                Assert.NotEmpty(social.Settings);
                Assert.All(social.Settings, s => Assert.True(s.UserId > 7));
            }

            // Seeding twice is refused.
            await Assert.ThrowsAsync<SeedRefusedException>(() => Seeder.SeedAsync(api.Services, new SeedOptions { Users = 20 }, TextWriter.Null, ct));
            // More fan-out subscribers than users is refused too.
            await Assert.ThrowsAsync<SeedRefusedException>(() => Seeder.SeedAsync(api.Services, options with { FanoutSubscribers = 21 }, TextWriter.Null, ct));

            var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var report = await LoadRunner.RunAsync(new LoadTestOptions
            {
                Host = new Uri(address),
                Users = 5,
                SpawnRate = 100,
                Duration = TimeSpan.FromSeconds(3),
                ThinkMinSeconds = 0,
                ThinkMaxSeconds = 0,
                Accounts = 20,
                Steady = true,
                ProgressInterval = TimeSpan.FromSeconds(1),
            }, TextWriter.Null, ct);

            Assert.Equal(5, report.Login.Requests);
            Assert.Equal(0, report.Login.Failures);
            Assert.Equal(0, report.Aggregated.Failures);
            Assert.Empty(report.Aggregated.FailuresByCause);
            Assert.Equal(LoadRunner.Tasks.Select(t => t.Name), report.Endpoints.Select(e => e.Name));
            Assert.All(report.Endpoints, e => Assert.True(e.Requests > 0, $"{e.Name} was never called"));
            Assert.Equal(report.Endpoints.Sum(e => e.Requests), report.Aggregated.Requests);
            Assert.Contains("Type,Name,Request Count,Failure Count,Median Response Time", ReportWriter.LocustStatsCsv(report), StringComparison.Ordinal);
        }
        finally
        {
            await database.DropAsync();
        }
    }

    [Fact]
    public void The_verdict_follows_the_guide_table_and_judges_throughput_only_without_think_time()
    {
        static EndpointResult Row(int micros, int count, long failures) => EndpointResult.From("", "Aggregated",
            Enumerable.Repeat(micros, count).ToArray(), 0, failures == 0 ? new Dictionary<string, long>() : new() { ["HTTP 500"] = failures }, 1);

        var noThink = new LoadTestOptions { ThinkMinSeconds = 0, ThinkMaxSeconds = 0 };
        Assert.Equal(Grade.Pass, LoadReport.Judge(noThink, Row(50_000, 1000, 0)).Overall);
        Assert.Equal(Grade.Warning, LoadReport.Judge(noThink, Row(250_000, 1000, 0)).Overall); // between 200 and 300 ms: warning
        Assert.Equal(Grade.Fail, LoadReport.Judge(noThink, Row(50_000, 100, 0)).Overall);      // 100 req/s
        Assert.Equal(Grade.Fail, LoadReport.Judge(noThink, Row(50_000, 1000, 30)).Overall);    // 3 % errors
        var thinking = LoadReport.Judge(new LoadTestOptions(), Row(50_000, 100, 0));
        Assert.Equal(Grade.Pass, thinking.Overall);
        Assert.Equal(Grade.NotJudged, thinking.Lines.Single(l => l.Metric == "Throughput").Grade);
    }

    sealed record SocialRows(List<Subscription> Subscriptions, List<DeviceToken> Devices, List<NotificationSettings> Settings);

    static async Task<SocialRows> SocialRowsAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return new SocialRows(
            await db.Subscriptions.AsNoTracking().ToListAsync(ct),
            await db.DeviceTokens.AsNoTracking().ToListAsync(ct),
            await db.NotificationSettings.AsNoTracking().ToListAsync(ct));
    }

    /// <summary>The service as <see cref="ApiFactory"/> configures it, but on Kestrel and on a database the test owns.</summary>
    sealed class KestrelApi(TestDatabase database, FakeTimeProvider clock) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Database:Provider", database.Kind.ToString());
            builder.UseSetting("Database:MigrateOnStartup", "true");
            builder.UseSetting("ConnectionStrings:Apes", database.ConnectionString);
            builder.UseSetting("Auth:JwtSigningKey", "integration-tests-signing-key-0123456789abcdef");
            builder.UseSetting("Auth:PasswordHashIterations", "1000");
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(clock);
            });
        }
    }
}

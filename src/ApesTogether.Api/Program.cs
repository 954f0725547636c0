using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.Events;
using ApesTogether.Api.Features.Leaderboard;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Notifications;
using ApesTogether.Api.Features.Ops;
using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Features.Portfolios;
using ApesTogether.Api.Features.Scheduling;
using ApesTogether.Api.Features.Subscriptions;
using ApesTogether.Api.Features.Trades;
using ApesTogether.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
var roles = HostRoles.From(builder.Configuration);

builder.Services.AddSingleton(ClockSetup.From(builder.Configuration));
builder.Services.AddSingleton<ApesMetrics>();
builder.Services.AddSingleton(roles);
builder.Services.ConfigureHttpJsonOptions(o => JsonSetup.Configure(o.SerializerOptions));
builder.Services.AddValidation();
builder.Services.AddOpenApi();
builder.AddApiErrorHandling();
builder.AddDatabase();
builder.AddHealth();
builder.AddAuth();
builder.AddMarket();
builder.AddMarketData();
builder.AddTrades();
builder.AddPortfolios();
builder.AddPerformance();
builder.AddLeaderboard();
builder.AddSubscriptions();
builder.AddOps();
builder.AddEvents(worker: roles.Worker);
builder.AddNotifications(worker: roles.Worker);
builder.AddScheduling(scheduler: roles.Scheduler);

var app = builder.Build();
if (app.Services.GetRequiredService<TimeProvider>() is ShiftedTimeProvider shifted)
{
    app.Logger.LogWarning("Clock:StartAt is set: the service runs on a clock moved by {Offset} (now {Now:O})", shifted.Offset, shifted.GetUtcNow());
}

// One-shot operator commands: `dotnet run -- migrate`, `dotnet run -- reconcile [--repair]`,
// `dotnet run -c Release -- benchmark-leaderboard [--users N] [--days N]` (PostgreSQL, empty database only),
// `dotnet run -- seed [--users 1000] [--days 365] [--seed 42] [--agents 5%] [--force]` (a realistic data set; Features/Ops/Seeder.cs).
if (args.Contains("migrate"))
{
    await DatabaseSetup.MigrateAsync(app.Services, CancellationToken.None);
    app.Logger.LogInformation("Migrations applied");
    return;
}
if (args.Contains("reconcile"))
{
    await using var scope = app.Services.CreateAsyncScope();
    var report = await scope.ServiceProvider.GetRequiredService<LedgerReconciler>().ReconcileAllAsync(args.Contains("--repair"), CancellationToken.None);
    var json = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };
    JsonSetup.Configure(json);
    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, json));
    Environment.ExitCode = report.UsersWithDrift > 0 && !report.Repaired ? 3 : 0;
    return;
}
if (args.Contains("seed"))
{
    Environment.ExitCode = await ApesTogether.Api.Features.Ops.Seeder.RunAsync(app.Services, args, CancellationToken.None);
    return;
}
if (args.Contains("benchmark-leaderboard"))
{
    Environment.ExitCode = await LeaderboardBenchmark.RunAsync(app.Services, args, CancellationToken.None);
    return;
}
if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.ShouldMigrateOnStartup)
{
    await DatabaseSetup.MigrateAsync(app.Services, CancellationToken.None);
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
if (roles.Api)
{
    if (app.Environment.IsDevelopment())
    {
        app.MapOpenApi();
    }
    app.MapAuth();
    app.MapMarket();
    app.MapMarketData();
    app.MapTrades();
    app.MapPortfolios();
    app.MapPerformance();
    app.MapLeaderboard();
    app.MapSubscriptions();
    app.MapNotifications();
    app.MapAdmin();
    app.MapJobs();
}
app.Logger.LogInformation("Apes Together starting with roles {Roles}", roles);

app.Run();

public partial class Program;

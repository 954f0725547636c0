using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Snapshots;
using ApesTogether.Api.Features.Trades;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Scheduling;

public sealed record JobRunView(long Id, string Tick, DateTime StartedAt, DateTime? FinishedAt, string Outcome, string? Detail);

public sealed record JobView(string Name, JobRunView? LastRun, DateTimeOffset? NextRun, bool ScheduledHere);

public sealed record JobStarted(long RunId, string Job, string Tick, string Status);

public static class SchedulingSetup
{
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder, bool scheduler)
    {
        builder.Services.AddOptions<SnapshotOptions>().BindConfiguration(SnapshotOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<SnapshotWriter>();
        builder.Services.AddSingleton<JobRunner>();
        builder.Services.AddSingleton<IScheduledJob, MarketOpenJob>();
        builder.Services.AddSingleton<IScheduledJob, PriceRefreshJob>();
        builder.Services.AddSingleton<IScheduledJob, IntradaySnapshotJob>();
        builder.Services.AddSingleton<IScheduledJob, MarketCloseJob>();
        builder.Services.AddSingleton<IScheduledJob, CleanupJob>();
        builder.Services.AddSingleton<IScheduledJob, Leaderboard.LeaderboardJob>();
        builder.Services.AddSingleton<IScheduledJob, Subscriptions.SubscriptionExpiryJob>();
        if (scheduler)
        {
            // One loop per job; every job is also runnable on demand from /admin/jobs, whatever the role.
            builder.Services.AddHostedService<SchedulerHost>();
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/admin/jobs").WithTags("Operators").RequireAuthorization(AuthOptions.AdminPolicy);
        jobs.MapGet("/", List);
        jobs.MapPost("/{name}/run", Run);
        return app;
    }

    static async Task<Ok<IReadOnlyList<JobView>>> List(IEnumerable<IScheduledJob> jobs, AppDbContext db, TimeProvider clock,
        HostRoles roles, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var views = new List<JobView>();
        foreach (var job in jobs)
        {
            var last = await db.JobRuns.AsNoTracking().Where(r => r.Job == job.Name).OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id)
                .Select(r => new JobRunView(r.Id, r.Tick, r.StartedAt, r.FinishedAt, r.Outcome, r.Detail)).FirstOrDefaultAsync(ct);
            views.Add(new JobView(job.Name, last, job.NextTick(now), roles.Scheduler));
        }
        return TypedResults.Ok<IReadOnlyList<JobView>>(views);
    }

    static async Task<Results<Accepted<JobStarted>, ProblemHttpResult>> Run(string name, IEnumerable<IScheduledJob> jobs, JobRunner runner,
        IHostApplicationLifetime lifetime)
    {
        var job = jobs.FirstOrDefault(j => j.Name == name);
        if (job is null)
        {
            return ApiProblem.NotFound(ErrorCodes.NotFound, $"No job named '{MarketDataEndpoints.Truncate(name)}'.");
        }
        var run = await runner.StartManualAsync(job, lifetime.ApplicationStopping);
        return TypedResults.Accepted($"/admin/jobs", new JobStarted(run.RunId, run.Job, run.Tick, run.Outcome));
    }
}

/// <summary>The scheduler role: starts and stops one <see cref="JobHost"/> per registered job.</summary>
public sealed class SchedulerHost(IServiceProvider services) : IHostedService
{
    readonly List<JobHost> _hosts = services.GetServices<IScheduledJob>()
        .Select(job => ActivatorUtilities.CreateInstance<JobHost>(services, job)).ToList();

    public IReadOnlyList<string> Jobs => _hosts.Select(h => h.Job.Name).ToList();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var host in _hosts)
        {
            await host.StartAsync(cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(cancellationToken);
        }
    }
}

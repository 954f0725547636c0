using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Snapshots;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Scheduling;

/// <summary>
/// A job of the scheduler role: when its ticks fall (market open, every 15 minutes in session, after the close…),
/// which missed ticks to catch up at start, and the work of one tick. The work lives in ordinary scoped classes.
/// </summary>
public interface IScheduledJob
{
    string Name { get; }

    /// <summary>The first tick strictly after the instant, or null when the job has no further ticks.</summary>
    DateTimeOffset? NextTick(DateTimeOffset after);

    /// <summary>
    /// Whether every passed tick still matters when several passed at once (settlement, daily snapshots), or only
    /// the latest (refreshes, intraday snapshots, cleanup).
    /// </summary>
    bool RunsEveryMissedTick { get; }

    /// <summary>Ticks that should have run before now and may still be run late (oldest first).</summary>
    IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now);

    /// <summary>Runs one tick; returns a short summary for the run record.</summary>
    Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct);
}

public sealed record JobRunResult(long RunId, string Job, string Tick, string Outcome, string? Detail);

/// <summary>
/// Runs ticks of jobs at most once across every scheduler instance: a run first inserts its (job, tick) row, and
/// the unique index lets exactly one instance win. A failed run, or one left running by a crash for longer than
/// <see cref="StaleAfter"/>, can be claimed again.
/// </summary>
public sealed class JobRunner(IServiceScopeFactory scopes, TimeProvider clock, ILogger<JobRunner> logger)
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(30);

    public static string TickKey(DateTimeOffset tick) => tick.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public async Task<JobRunResult?> RunAsync(IScheduledJob job, DateTimeOffset tick, string? tickKey, CancellationToken ct)
    {
        var key = tickKey ?? TickKey(tick);
        var runId = await TryClaimAsync(job.Name, key, ct);
        return runId is null ? null : await ExecuteAsync(job, tick, key, runId.Value, ct);
    }

    /// <summary>An operator's "run now": claims a manual tick at the current instant, runs it in the background, returns its run id.</summary>
    public async Task<JobRunResult> StartManualAsync(IScheduledJob job, CancellationToken stopping)
    {
        var now = clock.GetUtcNow();
        var key = "manual-" + TickKey(now) + "-" + Guid.NewGuid().ToString("N")[..6];
        var runId = await TryClaimAsync(job.Name, key, CancellationToken.None)
            ?? throw new InvalidOperationException("A fresh manual tick cannot be taken.");
        _ = Task.Run(() => ExecuteAsync(job, now, key, runId, stopping), CancellationToken.None);
        return new JobRunResult(runId, job.Name, key, "running", null);
    }

    async Task<JobRunResult> ExecuteAsync(IScheduledJob job, DateTimeOffset tick, string key, long runId, CancellationToken ct)
    {
        string outcome, detail;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            detail = await job.RunAsync(scope.ServiceProvider, tick, ct);
            outcome = "succeeded";
            logger.LogInformation("Job {Job} tick {Tick} succeeded: {Detail}", job.Name, key, detail);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            outcome = "failed";
            detail = ex.Message;
            logger.LogError(ex, "Job {Job} tick {Tick} failed", job.Name, key);
        }
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var finished = clock.GetUtcNow().UtcDateTime;
            var trimmed = detail.Length <= 1000 ? detail : detail[..1000];
            await db.JobRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Outcome, outcome).SetProperty(r => r.FinishedAt, finished).SetProperty(r => r.Detail, trimmed), CancellationToken.None);
        }
        return new JobRunResult(runId, job.Name, key, outcome, detail);
    }

    public async Task<bool> HasSucceededAsync(string job, DateTimeOffset tick, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var key = TickKey(tick);
        return await db.JobRuns.AnyAsync(r => r.Job == job && r.Tick == key && r.Outcome == "succeeded", ct);
    }

    async Task<long?> TryClaimAsync(string job, string tick, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var existing = await db.JobRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Job == job && r.Tick == tick, ct);
        if (existing is not null)
        {
            var stale = now - StaleAfter;
            var reclaimed = await db.JobRuns
                .Where(r => r.Id == existing.Id && (r.Outcome == "failed" || (r.Outcome == "running" && r.StartedAt < stale)))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Outcome, "running").SetProperty(r => r.StartedAt, now)
                    .SetProperty(r => r.FinishedAt, (DateTime?)null), ct);
            return reclaimed == 1 ? existing.Id : null;
        }
        var run = new JobRun { Job = job, Tick = tick, StartedAt = now, Outcome = "running" };
        db.JobRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
            return run.Id;
        }
        catch (DbUpdateException)
        {
            // Another scheduler instance claimed this tick first.
            return null;
        }
    }
}

/// <summary>
/// One loop per job: catch up what was missed, then sleep until each tick and run it through the runner. A failed
/// tick is tried again a minute later, a few times, unless its next tick comes first.
/// </summary>
public sealed class JobHost(IScheduledJob job, JobRunner runner, TimeProvider clock, ILogger<JobHost> logger) : BackgroundService
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);
    const int MaxAttempts = 5;

    public IScheduledJob Job => job;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Ticks after this instant belong to the loop, so none falls between catch-up and loop, however long catch-up takes.
            var after = clock.GetUtcNow();
            foreach (var tick in job.CatchUpTicks(after))
            {
                await RunWithRetriesAsync(tick, stoppingToken);
            }
            while (!stoppingToken.IsCancellationRequested && job.NextTick(after) is { } next)
            {
                if (!job.RunsEveryMissedTick)
                {
                    var now = clock.GetUtcNow();
                    while (job.NextTick(next) is { } later && later <= now)
                    {
                        next = later;
                    }
                }
                var wait = next - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, stoppingToken);
                }
                await RunWithRetriesAsync(next, stoppingToken);
                after = next;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "Job loop {Job} stopped", job.Name);
        }
    }

    async Task RunWithRetriesAsync(DateTimeOffset tick, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await runner.RunAsync(job, tick, null, ct);
            if (result is null || result.Outcome == "succeeded" || attempt >= MaxAttempts)
            {
                return;
            }
            var retryAt = clock.GetUtcNow() + RetryDelay;
            if (job.NextTick(tick) is { } next && next <= retryAt)
            {
                return;
            }
            await Task.Delay(RetryDelay, clock, ct);
        }
    }
}

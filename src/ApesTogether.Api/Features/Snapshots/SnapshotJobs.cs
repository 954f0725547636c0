using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.Scheduling;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Snapshots;

public sealed class SnapshotOptions
{
    public const string Section = "Snapshots";

    [System.ComponentModel.DataAnnotations.Range(1, 365)]
    public int IntradayRetentionDays { get; set; } = 14;
}

/// <summary>
/// Every 15 minutes in session, from the open to the close inclusive (DST and early closes from the calendar).
/// Intraday history cannot be priced after the fact, so a tick more than five minutes late is skipped, not faked.
/// </summary>
public sealed class IntradaySnapshotJob(MarketCalendar calendar, TimeProvider clock) : IScheduledJob
{
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public string Name => "intraday";

    public bool RunsEveryMissedTick => false;

    public DateTimeOffset? NextTick(DateTimeOffset after) => SessionTicks.Next(calendar, after, s => SessionTicks.Every(s, Step, includeClose: true));

    public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now) => [];

    public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - tick > Tolerance)
        {
            return $"skipped: {(now - tick).TotalMinutes:0} minutes late";
        }
        var report = await services.GetRequiredService<SnapshotWriter>().WriteIntradayAsync(tick, ct);
        // 1D follows the intraday snapshots; the other periods are rebuilt after the close.
        await services.GetRequiredService<Leaderboard.LeaderboardBuilder>().RebuildAsync([Performance.Period.OneDay], ct);
        return $"{report.Written} snapshots";
    }
}

/// <summary>
/// Two minutes after each session's real close (16:00, or 13:00 on early closes, New York), the daily snapshots
/// as of the close. The last five sessions are caught up at start when their run did not succeed.
/// </summary>
public sealed class MarketCloseJob(MarketCalendar calendar) : IScheduledJob
{
    public static readonly TimeSpan Delay = TimeSpan.FromMinutes(2);
    const int CatchUpSessions = 5;

    public string Name => "market-close";

    public bool RunsEveryMissedTick => true;

    public DateTimeOffset? NextTick(DateTimeOffset after) => SessionTicks.Next(calendar, after, s => [s.Close + Delay]);

    public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now)
    {
        var sessions = new List<TradingSession>();
        var session = SessionTicks.LatestClosed(calendar, now - Delay);
        for (var i = 0; i < CatchUpSessions; i++)
        {
            sessions.Add(session);
            session = calendar.PreviousSession(session.Date);
        }
        return sessions.Select(s => s.Close + Delay).Reverse();
    }

    public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
    {
        // A manual run at any instant snapshots the latest session closed by then.
        var session = SessionTicks.LatestClosed(calendar, tick);
        var report = await services.GetRequiredService<SnapshotWriter>().WriteCloseAsync(session, ct);
        return $"{report.Written} daily snapshots for {session.Date:yyyy-MM-dd} ({report.PricedAtCost} holdings valued at cost)";
    }
}

/// <summary>Ten minutes after each close: removes intraday snapshots and prices past the retention (14 days), set-based.</summary>
public sealed class CleanupJob(MarketCalendar calendar, IOptions<SnapshotOptions> options) : IScheduledJob
{
    public string Name => "cleanup";

    public bool RunsEveryMissedTick => false;

    public DateTimeOffset? NextTick(DateTimeOffset after) => SessionTicks.Next(calendar, after, s => [s.Close + TimeSpan.FromMinutes(10)]);

    public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now) => [];

    public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
    {
        var cutoff = tick - TimeSpan.FromDays(options.Value.IntradayRetentionDays);
        var removed = await services.GetRequiredService<SnapshotWriter>().DeleteIntradayOlderThanAsync(cutoff, ct);
        return $"{removed} intraday rows before {cutoff:yyyy-MM-dd HH:mm}Z removed";
    }
}

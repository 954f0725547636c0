using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Features.Scheduling;

namespace ApesTogether.Api.Features.Leaderboard;

/// <summary>
/// Five minutes after each session's close (after the daily snapshots of the market-close job), every period is rebuilt.
/// Only the latest tick matters, so nothing is caught up: the next close rebuilds from the snapshots as they are then.
/// </summary>
public sealed class LeaderboardJob(MarketCalendar calendar) : IScheduledJob
{
    public static readonly TimeSpan Delay = TimeSpan.FromMinutes(5);

    public string Name => "leaderboard";

    public bool RunsEveryMissedTick => false;

    public DateTimeOffset? NextTick(DateTimeOffset after) => SessionTicks.Next(calendar, after, s => [s.Close + Delay]);

    public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now) => [];

    public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
    {
        var report = await services.GetRequiredService<LeaderboardBuilder>().RebuildAsync(PeriodNames.All, ct);
        return $"{report.Entries.Values.Sum()} entries ({string.Join(", ", report.Entries.Select(e => $"{LeaderboardBuilder.Key(e.Key)} {e.Value}"))})";
    }
}

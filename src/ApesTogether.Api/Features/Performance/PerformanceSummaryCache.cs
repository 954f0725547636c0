using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Performance;

/// <summary>
/// Each user's performance summary (all periods, since inception, risk) for a short lifetime. The summary changes only
/// when snapshots are written (every 15 minutes in session), while a popular public portfolio is read thousands of
/// times a minute; so within the lifetime the numbers are the same, and the work is done once.
/// </summary>
public sealed class PerformanceSummaryCache(TimeProvider clock, IOptions<PerformanceOptions> options)
{
    readonly ConcurrentDictionary<long, (PerformanceSummary Summary, DateTimeOffset At)> _entries = new();

    public async Task<PerformanceSummary> GetAsync(long userId, Func<Task<PerformanceSummary>> compute)
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(userId, out var entry) && now - entry.At < options.Value.SummaryCacheLifetime)
        {
            return entry.Summary;
        }
        var summary = await compute();
        _entries[userId] = (summary, now);
        return summary;
    }
}

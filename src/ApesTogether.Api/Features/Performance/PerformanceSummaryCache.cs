using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Performance;

/// <summary>
/// Each user's performance summary (all periods, since inception, risk) for a short lifetime. The summary changes only
/// when snapshots are written (every 15 minutes in session), while a popular public portfolio is read thousands of
/// times a minute; so within the lifetime the numbers are the same, and the work is done once: concurrent requests for
/// a user whose summary is missing or expired wait for one computation instead of each starting their own.
/// </summary>
public sealed class PerformanceSummaryCache(IServiceScopeFactory scopes, TimeProvider clock, IOptions<PerformanceOptions> options)
{
    sealed record Entry(Task<PerformanceSummary> Summary, DateTimeOffset At);

    readonly ConcurrentDictionary<long, Lazy<Entry>> _entries = new();

    public async Task<PerformanceSummary> GetAsync(long userId, CancellationToken ct)
    {
        if (options.Value.SummaryCacheLifetime <= TimeSpan.Zero)
        {
            return await ComputeAsync(userId).WaitAsync(ct);
        }
        while (true)
        {
            var lazy = _entries.GetOrAdd(userId, id => new Lazy<Entry>(() => new Entry(ComputeAsync(id), clock.GetUtcNow())));
            var entry = lazy.Value;
            PerformanceSummary summary;
            try
            {
                summary = await entry.Summary.WaitAsync(ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // A failed computation is not kept: the next request tries again.
                _entries.TryRemove(new KeyValuePair<long, Lazy<Entry>>(userId, lazy));
                throw;
            }
            if (clock.GetUtcNow() - entry.At < options.Value.SummaryCacheLifetime)
            {
                return summary;
            }
            _entries.TryRemove(new KeyValuePair<long, Lazy<Entry>>(userId, lazy));
        }
    }

    // In a scope of its own and without the caller's token: the computation is shared, so it must outlive any one request.
    async Task<PerformanceSummary> ComputeAsync(long userId)
    {
        await Task.Yield();
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PerformanceService>().GetAllAsync(userId, CancellationToken.None);
    }
}

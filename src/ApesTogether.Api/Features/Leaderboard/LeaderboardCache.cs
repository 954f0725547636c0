using System.Collections.Concurrent;
using System.Text.Json;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Leaderboard;

/// <summary>A period's whole field as last rebuilt: entries by return descending, ties by user id ascending.</summary>
public sealed record LeaderboardBoard(LeaderboardPeriod? Period, IReadOnlyList<LeaderboardEntry> Entries, DateTimeOffset LoadedAt)
{
    /// <summary>Most bytes of serialized answers one board keeps; further distinct queries are answered without keeping them.</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    readonly ConcurrentDictionary<string, SerializedJson<LeaderboardResponse>> _responses = new(StringComparer.Ordinal);
    long _responseBytes;

    /// <summary>
    /// The serialized answer to a query. An answer is a pure function of the board and the query, so within the board's
    /// lifetime each distinct query is ranked and serialized once (the default query of the app is almost every request).
    /// </summary>
    public SerializedJson<LeaderboardResponse> Response(LeaderboardQuery query, Func<LeaderboardResponse> build, JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(build);
        var key = query.CacheKey;
        if (_responses.TryGetValue(key, out var cached))
            return cached;
        var response = SerializedJson<LeaderboardResponse>.From(build(), json);
        if (Interlocked.Add(ref _responseBytes, response.Utf8.Length) <= MaxResponseBytes)
            _responses.TryAdd(key, response);
        return response;
    }
}

/// <summary>
/// Each period's full entry list in process memory for 60 seconds, so a request filters and ranks in memory instead of
/// querying. A rebuild of a period drops its entry here when it commits; other instances see it within the lifetime.
/// </summary>
public sealed class LeaderboardCache(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    readonly ConcurrentDictionary<Period, Lazy<Task<LeaderboardBoard>>> _boards = new();

    public async Task<LeaderboardBoard> GetAsync(Period period, CancellationToken ct)
    {
        while (true)
        {
            var lazy = _boards.GetOrAdd(period, p => new Lazy<Task<LeaderboardBoard>>(() => LoadAsync(p)));
            LeaderboardBoard board;
            try
            {
                board = await lazy.Value.WaitAsync(ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // A failed load is not kept: the next request tries again.
                _boards.TryRemove(new KeyValuePair<Period, Lazy<Task<LeaderboardBoard>>>(period, lazy));
                throw;
            }
            if (clock.GetUtcNow() - board.LoadedAt < Lifetime)
                return board;
            _boards.TryRemove(new KeyValuePair<Period, Lazy<Task<LeaderboardBoard>>>(period, lazy));
        }
    }

    public void Invalidate(Period period) => _boards.TryRemove(period, out _);

    async Task<LeaderboardBoard> LoadAsync(Period period)
    {
        var loadedAt = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var key = LeaderboardBuilder.Key(period);
        var row = await db.LeaderboardPeriods.AsNoTracking().SingleOrDefaultAsync(p => p.Period == key);
        var entries = await db.LeaderboardEntries.AsNoTracking().Where(e => e.Period == key).ToListAsync();
        // Sorted in memory: decimals are stored as text on SQLite, where ORDER BY would compare strings.
        entries.Sort(static (a, b) => b.ReturnPct != a.ReturnPct ? b.ReturnPct.CompareTo(a.ReturnPct) : a.UserId.CompareTo(b.UserId));
        return new LeaderboardBoard(row, entries, loadedAt);
    }
}

using System.Collections.Concurrent;
using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Trades;

/// <summary>A user's holdings and cash as stored, read together.</summary>
public sealed record PortfolioPositions(IReadOnlyList<Holding> Holdings, decimal CapitalDeployed, decimal CashProceeds);

/// <summary>
/// Each user's holdings and cash, read in one round trip and kept in process memory. They change only through the user's
/// write lock (<see cref="UserLock"/>), which takes this cache and drops the user's entry once the transaction has ended,
/// so within this process a read never sees positions older than the last commit. Another process (a second API replica)
/// cannot drop our entry, so an entry is also never older than <see cref="TradingOptions.PositionsCacheLifetime"/>
/// (5 s by default; 0 turns the cache off): that is how stale another replica's trade can look here.
/// </summary>
public sealed class PositionsCache(IOptions<TradingOptions> options, TimeProvider clock)
{
    /// <summary>Above this many users the cache starts over, so an idle user's entry cannot pile up forever.</summary>
    public const int MaxEntries = 100_000;

    sealed record Entry(PortfolioPositions Positions, long Generation, DateTimeOffset LoadedAt);

    readonly ConcurrentDictionary<long, Entry> _entries = new();
    readonly ConcurrentDictionary<long, long> _generations = new();

    public async Task<PortfolioPositions> GetAsync(AppDbContext db, long userId, CancellationToken ct)
    {
        var lifetime = options.Value.PositionsCacheLifetime;
        var now = clock.GetUtcNow();
        // Read before the load: an invalidation that lands while we load makes what we loaded unusable.
        var generation = _generations.GetValueOrDefault(userId);
        if (_entries.TryGetValue(userId, out var entry) && entry.Generation == generation && now - entry.LoadedAt < lifetime)
        {
            return entry.Positions;
        }
        var positions = await LoadAsync(db, userId, ct);
        if (lifetime > TimeSpan.Zero)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
            _entries[userId] = new Entry(positions, generation, now);
        }
        return positions;
    }

    /// <summary>The user's positions may have changed (called by the write lock when its transaction ends).</summary>
    public void Invalidate(long userId)
    {
        _generations.AddOrUpdate(userId, 1, static (_, g) => g + 1);
        _entries.TryRemove(userId, out _);
    }

    static async Task<PortfolioPositions> LoadAsync(AppDbContext db, long userId, CancellationToken ct)
    {
        var row = await db.CashAccounts.AsNoTracking().Where(c => c.UserId == userId)
            .Select(c => new { c.CapitalDeployed, c.CashProceeds, Holdings = db.Holdings.Where(h => h.UserId == c.UserId).ToList() })
            .SingleOrDefaultAsync(ct);
        return row is null
            ? new PortfolioPositions([], 0m, 0m)
            : new PortfolioPositions(row.Holdings, row.CapitalDeployed, row.CashProceeds);
    }
}

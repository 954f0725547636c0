using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Events;
using ApesTogether.Api.Features.MarketData;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Leaderboard;

/// <summary>
/// The leaderboard's hook on trade_executed: a trade changes the trader's trading frequency and holdings at once, while
/// returns only move with the next snapshot. So the trader's rows in every period get their trades per week, large-cap
/// share and sectors recomputed now (with the rebuild's own formulas), and the frequency and industry filters see the trade
/// within the board cache's lifetime instead of after the next rebuild. Recomputed, never incremented: a redelivery
/// changes nothing.
/// </summary>
public sealed class LeaderboardActivityConsumer(StockUniverse universe, TimeProvider clock) : IEventConsumer
{
    public string Name => "leaderboard";

    public async Task HandleAsync(AppDbContext db, TradeExecuted trade, CancellationToken ct)
    {
        var userId = trade.UserId;
        if (!await db.LeaderboardEntries.AnyAsync(e => e.UserId == userId, ct))
        {
            // Not ranked yet: the next rebuild adds the trader with everything computed.
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - TimeSpan.FromDays(LeaderboardBuilder.TradeCountDays);
        var recent = await db.Transactions.CountAsync(t => t.UserId == userId && t.ExecutedAt > since && t.ExecutedAt <= now, ct);
        var perWeek = LeaderboardBuilder.TradesPerWeek(recent);
        var mix = (await LeaderboardBuilder.LoadCompositionAsync(db, universe, userId, ct)).GetValueOrDefault(userId);
        var largeCap = mix?.LargeCapPct ?? LeaderboardBuilder.UnknownLargeCapPct;
        var sectors = mix?.Sectors ?? "";
        await db.LeaderboardEntries.Where(e => e.UserId == userId).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.AvgTradesPerWeek, perWeek)
            .SetProperty(e => e.LargeCapPct, largeCap)
            .SetProperty(e => e.Sectors, sectors), ct);
    }
}

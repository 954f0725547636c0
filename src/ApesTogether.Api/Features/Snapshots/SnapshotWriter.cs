using System.Data;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Trades;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Snapshots;

public sealed record SnapshotReport(int Users, int Written, int PricedAtCost);

/// <summary>
/// Writes portfolio snapshots as of an instant: holdings and cash from the ledger as of that instant (current
/// holdings minus what was traded after it; the cash state carried by the last trade at or before it), priced at
/// that instant. One rule for every writer: a daily snapshot belongs to the session's exchange date and is as of
/// that session's real close. Writes are upserts, so re-running a tick changes nothing.
/// </summary>
public sealed class SnapshotWriter(AppDbContext db, QuoteSource quotes, DailyPriceStore dailyPrices,
    ILogger<SnapshotWriter> logger)
{
    const int BatchSize = 500;
    public const string Benchmark = "SPY";

    /// <summary>Daily snapshots of every active user for one session, at its official closes.</summary>
    public async Task<SnapshotReport> WriteCloseAsync(TradingSession session, CancellationToken ct)
    {
        var at = session.Close;
        var held = await HeldTickersAsOfAsync(at, ct);
        held.Add(Benchmark);
        // Official closes for everything held then; what is missing is backfilled from the provider.
        var closes = await db.DailyPrices.AsNoTracking().Where(p => p.Date == session.Date).ToDictionaryAsync(p => p.Ticker, p => p.Close, ct);
        foreach (var ticker in held.Where(t => !closes.ContainsKey(t)))
        {
            try
            {
                await dailyPrices.BackfillAsync(ticker, session.Date, session.Date, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "No official close for {Ticker} on {Date}", ticker, session.Date);
            }
        }
        closes = await db.DailyPrices.AsNoTracking().Where(p => p.Date == session.Date).ToDictionaryAsync(p => p.Ticker, p => p.Close, ct);
        // A ticker without an official close is valued at its last recorded close before the session.
        foreach (var ticker in held.Where(t => !closes.ContainsKey(t)))
        {
            var last = await db.DailyPrices.AsNoTracking().Where(p => p.Ticker == ticker && p.Date < session.Date)
                .OrderByDescending(p => p.Date).Select(p => (decimal?)p.Close).FirstOrDefaultAsync(ct);
            if (last is { } price)
            {
                closes[ticker] = price;
            }
        }

        return await WriteAsync(at, closes, async rows =>
        {
            foreach (var r in rows)
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO daily_snapshots (user_id, date, at, total_value, stock_value, cash_proceeds, capital_deployed)
                    VALUES ({r.UserId}, {session.Date}, {at.UtcDateTime}, {r.TotalValue}, {r.StockValue}, {r.CashProceeds}, {r.CapitalDeployed})
                    ON CONFLICT (user_id, date) DO UPDATE SET at = excluded.at, total_value = excluded.total_value,
                        stock_value = excluded.stock_value, cash_proceeds = excluded.cash_proceeds, capital_deployed = excluded.capital_deployed
                    """, ct);
            }
        }, ct);
    }

    /// <summary>Intraday snapshots of every active user at an instant in session, priced from current quotes, plus SPY.</summary>
    public async Task<SnapshotReport> WriteIntradayAsync(DateTimeOffset at, CancellationToken ct)
    {
        var held = await HeldTickersAsOfAsync(at, ct);
        held.Add(Benchmark);
        var prices = (await quotes.TryGetQuotesAsync(held.ToList(), ct)).ToDictionary(q => q.Key, q => q.Value.Price, StringComparer.Ordinal);
        if (prices.TryGetValue(Benchmark, out var spy))
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO intraday_prices (ticker, at, price) VALUES ({Benchmark}, {at.UtcDateTime}, {spy})
                ON CONFLICT (ticker, at) DO UPDATE SET price = excluded.price
                """, ct);
        }
        return await WriteAsync(at, prices, async rows =>
        {
            foreach (var r in rows)
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO intraday_snapshots (user_id, at, total_value, stock_value, cash_proceeds, capital_deployed)
                    VALUES ({r.UserId}, {at.UtcDateTime}, {r.TotalValue}, {r.StockValue}, {r.CashProceeds}, {r.CapitalDeployed})
                    ON CONFLICT (user_id, at) DO UPDATE SET total_value = excluded.total_value, stock_value = excluded.stock_value,
                        cash_proceeds = excluded.cash_proceeds, capital_deployed = excluded.capital_deployed
                    """, ct);
            }
        }, ct);
    }

    /// <summary>Removes intraday rows older than the retention, set-based.</summary>
    public async Task<int> DeleteIntradayOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var before = cutoff.UtcDateTime;
        var snapshots = await db.IntradaySnapshots.Where(s => s.At < before).ExecuteDeleteAsync(ct);
        var prices = await db.IntradayPrices.Where(p => p.At < before).ExecuteDeleteAsync(ct);
        return snapshots + prices;
    }

    public sealed record Row(long UserId, decimal TotalValue, decimal StockValue, decimal CashProceeds, decimal CapitalDeployed);

    async Task<SnapshotReport> WriteAsync(DateTimeOffset at, IReadOnlyDictionary<string, decimal> prices, Func<IReadOnlyList<Row>, Task> upsert, CancellationToken ct)
    {
        var instant = at.UtcDateTime;
        int users = 0, written = 0, atCost = 0;
        long after = 0;
        while (true)
        {
            var batch = await db.Users.AsNoTracking()
                .Where(u => u.Id > after && u.DeactivatedAt == null && u.CreatedAt <= instant)
                .OrderBy(u => u.Id).Select(u => u.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }
            after = batch[^1];
            var (rows, pricedAtCost) = await ValueAsOfAsync(batch, at, prices, ct);
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await upsert(rows);
                await tx.CommitAsync(ct);
            }
            users += batch.Count;
            written += rows.Count;
            atCost += pricedAtCost;
        }
        logger.LogInformation("Snapshots as of {At}: {Written} written for {Users} users, {AtCost} holdings valued at cost", at, written, users, atCost);
        return new SnapshotReport(users, written, atCost);
    }

    /// <summary>
    /// The batch's portfolios as of the instant, read in one consistent snapshot of the database so that a trade
    /// committing meanwhile is either wholly in or wholly out. Users who had deployed nothing by then are skipped.
    /// </summary>
    async Task<(List<Row> Rows, int PricedAtCost)> ValueAsOfAsync(List<long> userIds, DateTimeOffset at, IReadOnlyDictionary<string, decimal> prices, CancellationToken ct)
    {
        var instant = at.UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(db.Database.IsNpgsql() ? IsolationLevel.RepeatableRead : IsolationLevel.Serializable, ct);
        var holdings = await db.Holdings.AsNoTracking().Where(h => userIds.Contains(h.UserId))
            .Select(h => new { h.UserId, h.Ticker, h.Quantity, h.AverageCost }).ToListAsync(ct);
        var later = await db.Transactions.AsNoTracking().Where(t => userIds.Contains(t.UserId) && t.ExecutedAt > instant)
            .Select(t => new { t.UserId, t.Ticker, t.Action, t.Quantity, t.Total }).ToListAsync(ct);
        var lastIds = await db.Transactions.AsNoTracking().Where(t => userIds.Contains(t.UserId) && t.ExecutedAt <= instant)
            .GroupBy(t => t.UserId).Select(g => g.Max(t => t.Id)).ToListAsync(ct);
        var cash = await db.Transactions.AsNoTracking().Where(t => lastIds.Contains(t.Id))
            .ToDictionaryAsync(t => t.UserId, t => new CashState(t.CapitalDeployedAfter, t.CashProceedsAfter), ct);
        await tx.CommitAsync(ct);

        // Quantity and cost as of the instant: undo what was traded after it.
        var positions = holdings.ToDictionary(h => (h.UserId, h.Ticker), h => (h.Quantity, Cost: h.Quantity * h.AverageCost));
        foreach (var t in later)
        {
            var key = (t.UserId, t.Ticker);
            var (quantity, cost) = positions.GetValueOrDefault(key);
            positions[key] = t.Action == TradeAction.Buy ? (quantity - t.Quantity, cost - t.Total) : (quantity + t.Quantity, cost);
        }

        var byUser = positions.ToLookup(p => p.Key.UserId, p => (p.Key.Ticker, p.Value.Quantity, p.Value.Cost));
        var rows = new List<Row>(userIds.Count);
        var atCost = 0;
        foreach (var userId in userIds)
        {
            if (!cash.TryGetValue(userId, out var state) || state.CapitalDeployed <= 0m)
            {
                continue;
            }
            var stock = 0m;
            foreach (var (ticker, quantity, cost) in byUser[userId])
            {
                if (quantity <= 0m)
                {
                    continue;
                }
                if (prices.TryGetValue(ticker, out var price))
                {
                    stock += quantity * price;
                }
                else
                {
                    stock += cost;
                    atCost++;
                }
            }
            stock = decimal.Round(stock, 4, MidpointRounding.AwayFromZero);
            rows.Add(new Row(userId, stock + state.CashProceeds, stock, state.CashProceeds, state.CapitalDeployed));
        }
        return (rows, atCost);
    }

    /// <summary>Every ticker some user held at the instant (current holdings and those sold since).</summary>
    async Task<HashSet<string>> HeldTickersAsOfAsync(DateTimeOffset at, CancellationToken ct)
    {
        var instant = at.UtcDateTime;
        var current = await db.Holdings.AsNoTracking().Select(h => h.Ticker).Distinct().ToListAsync(ct);
        var soldSince = await db.Transactions.AsNoTracking().Where(t => t.ExecutedAt > instant && t.Action == TradeAction.Sell)
            .Select(t => t.Ticker).Distinct().ToListAsync(ct);
        return current.Concat(soldSince).ToHashSet(StringComparer.Ordinal);
    }
}

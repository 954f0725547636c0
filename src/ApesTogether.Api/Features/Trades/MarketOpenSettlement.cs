using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Trades;

public sealed record SettlementReport(int Executed, int Failed, int Deferred);

/// <summary>
/// Settles queued trades whose session has opened, each at that session's official opening price, even when
/// the job runs late (the service was down): the price belongs to the session, not to the moment of the run.
/// </summary>
public sealed class MarketOpenSettlement(AppDbContext db, TradeService trades, QuoteSource quotes, TimeProvider clock,
    ILogger<MarketOpenSettlement> logger)
{
    public async Task<SettlementReport> SettleDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.PendingTrades.AsNoTracking()
            .Where(p => p.Status == PendingTradeStatus.Queued && p.ExecutesAt <= now)
            .OrderBy(p => p.ExecutesAt).ThenBy(p => p.Id)
            .Select(p => new { p.Id, p.UserId, p.Ticker, p.ExecutesAt })
            .ToListAsync(ct);

        int executed = 0, failed = 0, deferred = 0;
        var openPrices = new Dictionary<(string, DateOnly), decimal>();
        foreach (var p in due)
        {
            var session = MarketCalendar.ExchangeDate(new DateTimeOffset(p.ExecutesAt, TimeSpan.Zero));
            if (!openPrices.TryGetValue((p.Ticker, session), out var open))
            {
                try
                {
                    open = await quotes.GetSessionOpenAsync(p.Ticker, session, ct);
                    openPrices[(p.Ticker, session)] = open;
                }
                catch (QuoteUnavailableException ex)
                {
                    // Left queued: the next run tries again rather than failing a trade for a vendor outage.
                    logger.LogWarning(ex, "No opening price for {Ticker} on {Session}; pending trade {Id} stays queued", p.Ticker, session, p.Id);
                    deferred++;
                    continue;
                }
            }
            switch (await trades.SettleAsync(p.Id, p.UserId, open, ct))
            {
                case PendingTradeStatus.Executed: executed++; break;
                case PendingTradeStatus.Failed: failed++; break;
            }
        }
        if (due.Count > 0)
        {
            logger.LogInformation("Market-open settlement: {Executed} executed, {Failed} failed, {Deferred} deferred", executed, failed, deferred);
        }
        return new SettlementReport(executed, failed, deferred);
    }
}

/// <summary>
/// At each real session open (09:30 New York, DST and holidays from the calendar) settles what is due; at start it
/// catches up the latest open, so trades queued before a downtime are settled when the service returns. A run
/// that had to leave trades queued (no opening price yet) fails, so the runner tries the tick again.
/// </summary>
public sealed class MarketOpenJob(MarketCalendar calendar) : Scheduling.IScheduledJob
{
    public string Name => "market-open";

    public bool RunsEveryMissedTick => true;

    public DateTimeOffset? NextTick(DateTimeOffset after) => calendar.NextSessionOpeningAfter(after).Open;

    public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now)
    {
        var today = calendar.GetSession(MarketCalendar.ExchangeDate(now));
        return [today is not null && today.Open <= now ? today.Open : calendar.PreviousSession(MarketCalendar.ExchangeDate(now)).Open];
    }

    public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
    {
        var report = await services.GetRequiredService<MarketOpenSettlement>().SettleDueAsync(ct);
        var summary = $"{report.Executed} executed, {report.Failed} failed, {report.Deferred} deferred";
        return report.Deferred > 0 ? throw new InvalidOperationException($"Settlement incomplete: {summary}") : summary;
    }
}

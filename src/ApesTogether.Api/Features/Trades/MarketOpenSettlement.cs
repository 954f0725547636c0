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
/// Scheduler-role job: settles what is due at start (catch-up after downtime), then sleeps until each real
/// session open from the calendar (09:30 America/New_York, DST and holidays included) and settles again.
/// </summary>
public sealed class MarketOpenJob(IServiceScopeFactory scopes, MarketCalendar calendar, TimeProvider clock,
    ILogger<MarketOpenJob> logger) : BackgroundService
{
    static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = RetryDelay;
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var report = await scope.ServiceProvider.GetRequiredService<MarketOpenSettlement>().SettleDueAsync(stoppingToken);
                    var now = clock.GetUtcNow();
                    var nextOpen = calendar.NextSessionOpeningAfter(now).Open;
                    delay = report.Deferred > 0 ? RetryDelay : TimeSpan.FromTicks(Math.Max(0, (nextOpen - now).Ticks));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Market-open settlement failed; retrying in {Delay}", RetryDelay);
            }
            try
            {
                await Task.Delay(delay, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// Scheduler-role job. In session, every cycle (90 s), it refreshes only the symbols held in portfolios plus SPY,
/// most-held first, in bulk calls within the key budget, so views read warm prices. A minute after the close it
/// records each symbol's official close once and fills missing company facts; at start it catches up a close
/// missed while the service was down.
/// </summary>
public sealed class PriceRefreshJob(MarketCalendar calendar, IOptions<MarketDataOptions> options) : IScheduledJob
{
    public const string Benchmark = "SPY";
    public static readonly TimeSpan AfterClose = TimeSpan.FromMinutes(1);
    const int MaxProfileCallsPerTick = 100;

    public string Name => "price-refresh";

    public bool RunsEveryMissedTick => false;

    public DateTimeOffset? NextTick(DateTimeOffset after) => options.Value.Refresher.Enabled
        ? SessionTicks.Next(calendar, after, s => SessionTicks.Every(s, options.Value.Refresher.Interval, includeClose: false).Append(s.Close + AfterClose))
        : null;

    public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now)
    {
        var closed = SessionTicks.LatestClosed(calendar, now - AfterClose);
        return options.Value.Refresher.Enabled && !calendar.GetState(now).IsOpen ? [closed.Close + AfterClose] : [];
    }

    public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
    {
        var symbols = await HeldSymbolsAsync(services.GetRequiredService<AppDbContext>(), ct);
        if (calendar.GetState(tick).IsOpen)
        {
            var priced = await services.GetRequiredService<QuoteSource>().RefreshAsync(symbols, AlphaVantageQuoteProvider.MaxSymbolsPerCall, ct);
            return $"refreshed {priced} of {symbols.Count} symbols";
        }
        var store = services.GetRequiredService<DailyPriceStore>();
        var missing = await store.RecordClosesAsync(symbols, ct);
        var profiles = await store.FillStockInfoAsync(symbols, MaxProfileCallsPerTick, ct);
        var summary = $"closes recorded for {symbols.Count - missing} of {symbols.Count} symbols; {profiles} company profiles filled";
        // Failing the tick makes the runner try it again a minute later.
        return missing > 0 ? throw new InvalidOperationException(summary) : summary;
    }

    /// <summary>Distinct held tickers, most holders first, with the benchmark always included.</summary>
    public static async Task<List<string>> HeldSymbolsAsync(AppDbContext db, CancellationToken ct)
    {
        var held = await db.Holdings.GroupBy(h => h.Ticker)
            .Select(g => new { Ticker = g.Key, Holders = g.Count() })
            .OrderByDescending(g => g.Holders).ThenBy(g => g.Ticker)
            .Select(g => g.Ticker)
            .ToListAsync(ct);
        if (!held.Contains(Benchmark))
        {
            held.Insert(0, Benchmark);
        }
        return held;
    }
}

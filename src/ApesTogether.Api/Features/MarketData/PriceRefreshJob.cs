using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// Scheduler-role job. In session it refreshes, every cycle, only the symbols held in portfolios plus SPY, most-held
/// first, in bulk calls within the key budget, so views read warm prices. After the close it records each symbol's
/// official close once; it then sleeps until the next open.
/// </summary>
public sealed class PriceRefreshJob(IServiceScopeFactory scopes, QuoteSource quotes, MarketCalendar calendar, TimeProvider clock,
    IOptions<MarketDataOptions> options, ILogger<PriceRefreshJob> logger) : BackgroundService
{
    public const string Benchmark = "SPY";
    static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);
    const int MaxProfileCallsPerTick = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Refresher.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                delay = await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Price refresh failed; retrying in {Delay}", RetryDelay);
                delay = RetryDelay;
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

    /// <summary>One tick; returns how long to sleep before the next.</summary>
    public async Task<TimeSpan> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var state = calendar.GetState(now);
        await using var scope = scopes.CreateAsyncScope();
        var symbols = await HeldSymbolsAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), ct);
        if (state.IsOpen)
        {
            var priced = await quotes.RefreshAsync(symbols, AlphaVantageQuoteProvider.MaxSymbolsPerCall, ct);
            logger.LogDebug("Refreshed {Priced} of {Count} held symbols", priced, symbols.Count);
            var next = now + options.Value.Refresher.Interval;
            return (next < state.NextClose ? next : state.NextClose) - now;
        }
        // Also catches up a close missed while the service was down (the latest closed session).
        var store = scope.ServiceProvider.GetRequiredService<DailyPriceStore>();
        var missing = await store.RecordClosesAsync(symbols, ct);
        await store.FillStockInfoAsync(symbols, MaxProfileCallsPerTick, ct);
        var untilOpen = state.NextOpen - now;
        return missing > 0 && RetryDelay < untilOpen ? RetryDelay : untilOpen;
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

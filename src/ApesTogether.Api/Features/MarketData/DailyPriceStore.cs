using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// Official daily opens and closes per ticker and exchange date. Writes are idempotent upserts on (ticker, date),
/// so re-running a close job or a backfill never duplicates a row.
/// </summary>
public sealed class DailyPriceStore(AppDbContext db, QuoteSource quotes, MarketCalendar calendar, TimeProvider clock, ILogger<DailyPriceStore> logger)
{
    public async Task<int> UpsertAsync(string ticker, string source, IEnumerable<SessionPrices> prices, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var count = 0;
        foreach (var p in prices)
        {
            // One statement per row, understood by SQLite and PostgreSQL alike; a conflict updates in place.
            count += await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO daily_prices (ticker, date, open, close, source, recorded_at)
                VALUES ({ticker}, {p.Date}, {p.Open}, {p.Close}, {source}, {now})
                ON CONFLICT (ticker, date) DO UPDATE SET open = excluded.open, close = excluded.close,
                    source = excluded.source, recorded_at = excluded.recorded_at
                """, ct);
        }
        return count;
    }

    /// <summary>
    /// Writes company facts for tickers that have none yet or whose facts are older than a week (one provider call
    /// each, so the refresher calls this after the close, when the key budget is idle).
    /// </summary>
    public async Task<int> FillStockInfoAsync(IReadOnlyList<string> tickers, int maxCalls, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var fresh = (await db.StockInfo.Where(s => s.UpdatedAt > now.AddDays(-7)).Select(s => s.Ticker).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var written = 0;
        foreach (var ticker in tickers.Where(t => !fresh.Contains(t)).Take(maxCalls))
        {
            CompanyProfile? profile;
            try
            {
                profile = await quotes.GetProfileAsync(ticker, ct);
            }
            catch (Exception ex) when (ex is BudgetExhaustedException or Vendors.VendorException)
            {
                logger.LogInformation("Stock info fill stopped at {Ticker}: {Reason}", ticker, ex.Message);
                break;
            }
            if (profile is null)
            {
                continue;
            }
            var row = await db.StockInfo.SingleOrDefaultAsync(s => s.Ticker == ticker, ct);
            if (row is null)
            {
                row = new StockInfoRow { Ticker = ticker, Name = profile.Name, Source = quotes.ProviderName };
                db.StockInfo.Add(row);
            }
            row.Name = profile.Name;
            row.Sector = profile.Sector;
            row.Industry = profile.Industry;
            row.MarketCapitalization = profile.MarketCapitalization ?? row.MarketCapitalization;
            row.Source = quotes.ProviderName;
            row.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            written++;
        }
        return written;
    }

    /// <summary>Fills missing daily closes for a ticker between two dates from the provider; returns rows written.</summary>
    public async Task<int> BackfillAsync(string ticker, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var expected = calendar.GetSessions(from, to).Select(s => s.Date).ToHashSet();
        var have = await db.DailyPrices.Where(p => p.Ticker == ticker && p.Date >= from && p.Date <= to).Select(p => p.Date).ToListAsync(ct);
        expected.ExceptWith(have);
        if (expected.Count == 0)
        {
            return 0;
        }
        var prices = await quotes.GetDailyPricesAsync(ticker, expected.Min(), expected.Max(), ct);
        return await UpsertAsync(ticker, quotes.ProviderName, prices.Where(p => expected.Contains(p.Date)), ct);
    }

    /// <summary>
    /// Records the official close of the latest closed session for each ticker, once, from a quote taken after that
    /// close (its price is the close); tickers already recorded are skipped. Returns how many are still missing.
    /// </summary>
    public async Task<int> RecordClosesAsync(IReadOnlyList<string> tickers, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = calendar.GetSession(MarketCalendar.ExchangeDate(now));
        var session = today is not null && now >= today.Close ? today : calendar.PreviousSession(MarketCalendar.ExchangeDate(now));
        if (now < session.Close || calendar.GetState(now).IsOpen)
        {
            return 0;
        }
        var date = session.Date;
        var done = (await db.DailyPrices.Where(p => p.Date == date).Select(p => p.Ticker).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var todo = tickers.Where(t => !done.Contains(t)).ToList();
        if (todo.Count == 0)
        {
            return 0;
        }
        var closes = await quotes.TryGetQuotesAsync(todo, ct);
        var written = 0;
        foreach (var (ticker, quote) in closes.Where(q => !q.Value.Stale && q.Value.AsOf >= session.Close.AddMinutes(-1)))
        {
            written += await UpsertAsync(ticker, quote.Source, [new SessionPrices(date, quote.Open, quote.Price)], ct);
        }
        logger.LogInformation("Recorded {Written} of {Count} official closes for {Date}", written, todo.Count, date);
        return todo.Count - written;
    }
}

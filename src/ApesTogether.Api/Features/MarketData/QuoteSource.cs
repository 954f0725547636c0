using System.Collections.Concurrent;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>No provider could price a known ticker right now; trades answer 503 <c>quote_unavailable</c>.</summary>
public sealed class QuoteUnavailableException(string ticker, Exception? inner = null)
    : Exception($"No price for {ticker} is available right now; try again shortly.", inner)
{
    public string Ticker { get; } = ticker;
}

public sealed record QuoteCacheStats(long Hits, long Misses, long StaleServed, int Entries)
{
    public decimal HitRatePct => Hits + Misses == 0 ? 0m : decimal.Round(Hits * 100m / (Hits + Misses), 2);
}

/// <summary>
/// The one way features get prices. Knows which tickers exist, caches quotes for as long as the market session
/// allows (90 s while open, until the next open when closed), fetches each missing ticker once however many callers
/// ask at the same moment (misses of one request go out as one bulk call), and when every provider fails serves the
/// last known price marked stale to views; trades ask for fresh prices only.
/// </summary>
public sealed class QuoteSource(IQuoteProvider provider, StockUniverse universe, MarketCalendar calendar, TimeProvider clock,
    IOptions<MarketDataOptions> options, ApesMetrics metrics, ILogger<QuoteSource> logger)
{
    sealed record Entry(Quote Quote, DateTimeOffset ExpiresAt);

    readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    readonly Dictionary<string, TaskCompletionSource<Quote?>> _inFlight = new(StringComparer.Ordinal);
    readonly Lock _inFlightGate = new();
    long _hits, _misses, _stale;

    public string ProviderName => provider.Name;

    public QuoteCacheStats Stats => new(Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _stale), _cache.Count);

    public bool TryGetStock(string ticker, out StockInfo? info) => universe.TryGet(ticker, out info);

    /// <summary>A fresh quote for a known ticker (cached within its lifetime), or <see cref="QuoteUnavailableException"/>.</summary>
    public async Task<Quote> GetQuoteAsync(string ticker, CancellationToken cancellationToken)
    {
        var quotes = await GetAsync([ticker], allowStale: false, cancellationToken);
        return quotes.TryGetValue(ticker, out var quote) ? quote : throw new QuoteUnavailableException(ticker);
    }

    /// <summary>Quotes for views: fresh where possible, else the last known price marked stale; unknown ones are absent.</summary>
    public Task<IReadOnlyDictionary<string, Quote>> TryGetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken) =>
        GetAsync(tickers, allowStale: true, cancellationToken);

    /// <summary>
    /// Fetches the given tickers now whatever the cache holds (the refresher's cycle), in the order given, and
    /// returns how many were priced. Stops early, keeping what it has, when the provider has no budget left.
    /// </summary>
    public async Task<int> RefreshAsync(IReadOnlyList<string> tickers, int batchSize, CancellationToken cancellationToken)
    {
        var priced = 0;
        foreach (var batch in tickers.Chunk(batchSize))
        {
            try
            {
                var quotes = await provider.GetQuotesAsync(batch, cancellationToken);
                Store(quotes.Values);
                priced += quotes.Count;
            }
            catch (BudgetExhaustedException ex)
            {
                logger.LogInformation("Refresh stopped after {Priced} of {Total} tickers: {Reason}", priced, tickers.Count, ex.Message);
                break;
            }
        }
        return priced;
    }

    public async Task<decimal> GetSessionOpenAsync(string ticker, DateOnly sessionDate, CancellationToken cancellationToken)
    {
        try
        {
            return await provider.GetSessionOpenAsync(ticker, sessionDate, cancellationToken)
                ?? throw new QuoteUnavailableException(ticker);
        }
        catch (Exception ex) when (ex is not QuoteUnavailableException && ex is not OperationCanceledException)
        {
            throw new QuoteUnavailableException(ticker, ex);
        }
    }

    public Task<CompanyProfile?> GetProfileAsync(string ticker, CancellationToken cancellationToken) =>
        provider.GetProfileAsync(ticker, cancellationToken);

    public Task<IReadOnlyList<SessionPrices>> GetDailyPricesAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        provider.GetDailyPricesAsync(ticker, from, to, cancellationToken);

    /// <summary>When a quote fetched now stops being fresh: after the open lifetime in session (never past the close), else at the next open.</summary>
    public DateTimeOffset ExpiryFor(DateTimeOffset now)
    {
        var state = calendar.GetState(now);
        if (!state.IsOpen)
        {
            return state.NextOpen;
        }
        var expiry = now + options.Value.Cache.OpenLifetime;
        return expiry < state.NextClose ? expiry : state.NextClose;
    }

    async Task<IReadOnlyDictionary<string, Quote>> GetAsync(IReadOnlyCollection<string> tickers, bool allowStale, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var result = new Dictionary<string, Quote>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var ticker in tickers.Distinct(StringComparer.Ordinal))
        {
            if (_cache.TryGetValue(ticker, out var entry) && entry.ExpiresAt > now)
            {
                result[ticker] = entry.Quote;
                Interlocked.Increment(ref _hits);
                metrics.QuoteCacheHits.Add(1);
            }
            else
            {
                missing.Add(ticker);
            }
        }
        if (missing.Count == 0)
        {
            return result;
        }
        Interlocked.Add(ref _misses, missing.Count);
        metrics.QuoteCacheMisses.Add(missing.Count);

        // Join fetches already running for some tickers; start one bulk fetch for the rest.
        var waits = new List<(string Ticker, Task<Quote?> Task)>(missing.Count);
        var toFetch = new List<string>();
        var started = new Dictionary<string, TaskCompletionSource<Quote?>>(StringComparer.Ordinal);
        lock (_inFlightGate)
        {
            foreach (var ticker in missing)
            {
                if (!_inFlight.TryGetValue(ticker, out var pending))
                {
                    pending = new TaskCompletionSource<Quote?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _inFlight[ticker] = pending;
                    started[ticker] = pending;
                    toFetch.Add(ticker);
                }
                waits.Add((ticker, pending.Task));
            }
        }
        if (toFetch.Count > 0)
        {
            // Detached from this caller's token: others may be waiting for the same answer.
            _ = FetchAsync(toFetch, started);
        }

        Exception? failure = null;
        foreach (var (ticker, task) in waits)
        {
            try
            {
                if (await task.WaitAsync(ct) is { } quote)
                {
                    result[ticker] = quote;
                    continue;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                failure = ex;
            }
            if (allowStale && _cache.TryGetValue(ticker, out var old))
            {
                result[ticker] = old.Quote with { Stale = true };
                Interlocked.Increment(ref _stale);
                metrics.QuoteStaleServed.Add(1);
            }
        }
        if (!allowStale && result.Count < tickers.Count && failure is not null)
        {
            throw new QuoteUnavailableException(string.Join(",", missing.Take(5)), failure);
        }
        return result;
    }

    async Task FetchAsync(List<string> tickers, Dictionary<string, TaskCompletionSource<Quote?>> pending)
    {
        try
        {
            var quotes = await provider.GetQuotesAsync(tickers, CancellationToken.None);
            Store(quotes.Values);
            foreach (var ticker in tickers)
            {
                pending[ticker].TrySetResult(quotes.GetValueOrDefault(ticker));
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Quote provider {Provider} failed for {Count} tickers", provider.Name, tickers.Count);
            foreach (var ticker in tickers)
            {
                pending[ticker].TrySetException(ex);
            }
        }
        finally
        {
            lock (_inFlightGate)
            {
                foreach (var ticker in tickers)
                {
                    _inFlight.Remove(ticker);
                }
            }
        }
    }

    void Store(IEnumerable<Quote> quotes)
    {
        var expiry = ExpiryFor(clock.GetUtcNow());
        foreach (var quote in quotes)
        {
            _cache[quote.Ticker] = new Entry(quote, expiry);
        }
    }
}

public sealed record QuoteResponse(string Ticker, string Name, decimal Price, decimal PreviousClose, decimal Change,
    decimal ChangePct, DateTimeOffset AsOf, string Source, MarketSessionKind MarketSession, bool Stale);

public static class MarketDataEndpoints
{
    public static IEndpointRouteBuilder MapMarketData(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/stocks/{ticker}/quote", GetQuote).WithTags("Market data").RequireAuthorization();
        return app;
    }

    static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> GetQuote(string ticker, QuoteSource quotes, CancellationToken ct)
    {
        var symbol = StockUniverse.Normalize(ticker);
        if (!quotes.TryGetStock(symbol, out var info))
        {
            return ApiProblem.NotFound(ErrorCodes.UnknownTicker, $"'{Truncate(ticker)}' is not a tradable ticker.");
        }
        var q = (await quotes.TryGetQuotesAsync([symbol], ct)).GetValueOrDefault(symbol) ?? throw new QuoteUnavailableException(symbol);
        var change = q.Price - q.PreviousClose;
        var pct = q.PreviousClose == 0 ? 0 : decimal.Round(change / q.PreviousClose * 100, 4);
        return TypedResults.Ok(new QuoteResponse(q.Ticker, info!.Name, q.Price, q.PreviousClose, change, pct, q.AsOf, q.Source, q.Session, q.Stale));
    }

    internal static string Truncate(string s) => s.Length <= 20 ? s : s[..20] + "…";
}

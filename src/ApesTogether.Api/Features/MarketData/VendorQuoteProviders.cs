using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData.Vendors;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// AlphaVantage behind the provider seam: bulk quotes in calls of at most 100 symbols, each call on a key with
/// budget (or <see cref="BudgetExhaustedException"/> without sending anything), a throttled key rested and the call
/// retried once on another key, and every call logged.
/// </summary>
public sealed class AlphaVantageQuoteProvider(AlphaVantageClient client, ApiKeyPool keys, ApiCallRecorder recorder,
    MarketCalendar calendar, TimeProvider clock, IOptions<MarketDataOptions> options) : IQuoteProvider
{
    public const string ProviderName = "alphavantage";
    public const int MaxSymbolsPerCall = 100;

    public string Name => ProviderName;

    public async Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Quote>(StringComparer.Ordinal);
        foreach (var chunk in tickers.Distinct(StringComparer.Ordinal).Chunk(MaxSymbolsPerCall))
        {
            var answer = await CallAsync("REALTIME_BULK_QUOTES", chunk.Length, key => client.GetBulkQuotesAsync(chunk, key, cancellationToken), cancellationToken);
            var now = clock.GetUtcNow();
            var session = calendar.GetState(now).Session;
            foreach (var ticker in chunk)
            {
                if (answer.TryGetValue(ticker, out var vq))
                {
                    result[ticker] = VendorMapping.ToQuote(ticker, vq, ProviderName, now, session);
                }
            }
        }
        return result;
    }

    public async Task<decimal?> GetSessionOpenAsync(string ticker, DateOnly sessionDate, CancellationToken cancellationToken)
    {
        // Today's open comes with the bulk quote; older opens from the daily series.
        if (sessionDate == MarketCalendar.ExchangeDate(clock.GetUtcNow()))
        {
            var quotes = await GetQuotesAsync([ticker], cancellationToken);
            if (quotes.GetValueOrDefault(ticker)?.Open is { } open)
            {
                return open;
            }
        }
        var bars = await GetDailyPricesAsync(ticker, sessionDate, sessionDate, cancellationToken);
        return bars.SingleOrDefault(b => b.Date == sessionDate)?.Open;
    }

    public async Task<CompanyProfile?> GetProfileAsync(string ticker, CancellationToken cancellationToken) =>
        await CallAsync("OVERVIEW", 1, key => client.GetOverviewAsync(ticker, key, cancellationToken), cancellationToken) is { } o
            ? new CompanyProfile(ticker, o.Name, o.Sector, o.Industry, o.MarketCapitalization)
            : null;

    public async Task<IReadOnlyList<SessionPrices>> GetDailyPricesAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        // The compact series holds the latest 100 sessions (about 145 calendar days).
        var full = MarketCalendar.ExchangeDate(clock.GetUtcNow()).DayNumber - from.DayNumber > 140;
        var bars = await CallAsync(full ? "TIME_SERIES_DAILY_FULL" : "TIME_SERIES_DAILY", 1,
            key => client.GetDailySeriesAsync(ticker, full, key, cancellationToken), cancellationToken);
        return VendorMapping.ToSessionPrices(bars, from, to);
    }

    async Task<T> CallAsync<T>(string function, int symbols, Func<string, Task<T>> call, CancellationToken ct)
    {
        var maxWait = options.Value.AlphaVantage.MaxWaitForBudget;
        for (var attempt = 0; ; attempt++)
        {
            var lease = await keys.AcquireAsync(maxWait, ct);
            try
            {
                return await recorder.CallAsync(ProviderName, function, symbols, lease.Index, () => call(lease.Key));
            }
            catch (VendorThrottledException throttled)
            {
                keys.Penalize(lease.Index, throttled.RetryAfter);
                if (attempt >= 1 || keys.KeyCount < 2)
                {
                    throw;
                }
            }
        }
    }
}

/// <summary>The Yahoo chart API behind the provider seam: one call per symbol, a few at a time.</summary>
public sealed class YahooQuoteProvider(YahooChartClient client, ApiCallRecorder recorder, MarketCalendar calendar, TimeProvider clock) : IQuoteProvider
{
    public const string ProviderName = "yahoo";
    const int Parallelism = 4;

    public string Name => ProviderName;

    public async Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
    {
        var result = new System.Collections.Concurrent.ConcurrentDictionary<string, Quote>(StringComparer.Ordinal);
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        await Parallel.ForEachAsync(tickers.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (ticker, ct) =>
            {
                try
                {
                    if (await CallAsync("chart", () => client.GetQuoteAsync(ticker, ct)) is { } vq)
                    {
                        var now = clock.GetUtcNow();
                        result[ticker] = VendorMapping.ToQuote(ticker, vq, ProviderName, now, calendar.GetState(now).Session);
                    }
                }
                catch (VendorException ex)
                {
                    errors.Add(ex);
                }
            });
        // Some answers beat none; none at all with errors is a failure.
        if (result.IsEmpty && !errors.IsEmpty)
        {
            throw errors.First();
        }
        return result;
    }

    /// <summary>The chart API carries no company facts.</summary>
    public Task<CompanyProfile?> GetProfileAsync(string ticker, CancellationToken cancellationToken) => Task.FromResult<CompanyProfile?>(null);

    public async Task<decimal?> GetSessionOpenAsync(string ticker, DateOnly sessionDate, CancellationToken cancellationToken)
    {
        var bars = await GetDailyPricesAsync(ticker, sessionDate, sessionDate, cancellationToken);
        return bars.SingleOrDefault(b => b.Date == sessionDate)?.Open;
    }

    public async Task<IReadOnlyList<SessionPrices>> GetDailyPricesAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var bars = await CallAsync("chart_daily", () => client.GetDailySeriesAsync(ticker, from, to, cancellationToken));
        return VendorMapping.ToSessionPrices(bars, from, to);
    }

    Task<T> CallAsync<T>(string function, Func<Task<T>> call) => recorder.CallAsync(ProviderName, function, 1, null, call);
}

/// <summary>
/// The primary behind a circuit breaker, with a fallback: after the configured consecutive failures the fallback
/// answers until the break ends, then one probe decides. A primary without budget is not a failure, but its callers
/// are served by the fallback rather than kept waiting; symbols the primary did not price are asked of the fallback.
/// </summary>
public sealed class FailoverQuoteProvider(IQuoteProvider primary, IQuoteProvider fallback, CircuitBreaker breaker,
    ILogger<FailoverQuoteProvider> logger) : IQuoteProvider
{
    public string Name => primary.Name;

    public CircuitBreaker Breaker => breaker;

    public async Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
    {
        var (answer, fromFallback) = await WithFailoverAsync(p => p.GetQuotesAsync(tickers, cancellationToken), cancellationToken);
        var missing = tickers.Where(t => !answer.ContainsKey(t)).ToList();
        if (missing.Count == 0 || fromFallback)
        {
            return answer;
        }
        try
        {
            var rest = await fallback.GetQuotesAsync(missing, cancellationToken);
            return answer.Concat(rest).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
        catch (VendorException ex)
        {
            logger.LogInformation(ex, "Fallback could not price {Count} symbols the primary left out", missing.Count);
            return answer;
        }
    }

    public async Task<decimal?> GetSessionOpenAsync(string ticker, DateOnly sessionDate, CancellationToken cancellationToken) =>
        (await WithFailoverAsync(p => p.GetSessionOpenAsync(ticker, sessionDate, cancellationToken), cancellationToken)).Result;

    public async Task<CompanyProfile?> GetProfileAsync(string ticker, CancellationToken cancellationToken) =>
        (await WithFailoverAsync(p => p.GetProfileAsync(ticker, cancellationToken), cancellationToken)).Result;

    public async Task<IReadOnlyList<SessionPrices>> GetDailyPricesAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        (await WithFailoverAsync(p => p.GetDailyPricesAsync(ticker, from, to, cancellationToken), cancellationToken)).Result;

    async Task<(T Result, bool FromFallback)> WithFailoverAsync<T>(Func<IQuoteProvider, Task<T>> call, CancellationToken ct)
    {
        if (breaker.AllowRequest())
        {
            try
            {
                var result = await call(primary);
                breaker.RecordSuccess();
                return (result, false);
            }
            catch (BudgetExhaustedException)
            {
                breaker.RecordNoOutcome();
            }
            catch (VendorException ex)
            {
                logger.LogWarning("Primary quote provider {Provider} failed: {Error}", primary.Name, ex.Message);
                breaker.RecordFailure();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                breaker.RecordNoOutcome();
                throw;
            }
        }
        return (await call(fallback), true);
    }
}

static class VendorMapping
{
    public static Quote ToQuote(string ticker, VendorQuote vq, string source, DateTimeOffset now, MarketSessionKind session) =>
        new(ticker, vq.Price, vq.PreviousClose ?? vq.Price, vq.AsOf ?? now, source, session, vq.Open);

    public static IReadOnlyList<SessionPrices> ToSessionPrices(IReadOnlyList<DailyBar>? bars, DateOnly from, DateOnly to) =>
        bars is null ? [] : bars.Where(b => b.Date >= from && b.Date <= to).Select(b => new SessionPrices(b.Date, b.Open, b.Close)).ToList();
}

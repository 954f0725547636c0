using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>No provider could price a known ticker right now; trades answer 503 <c>quote_unavailable</c>.</summary>
public sealed class QuoteUnavailableException(string ticker, Exception? inner = null)
    : Exception($"No price for {ticker} is available right now; try again shortly.", inner)
{
    public string Ticker { get; } = ticker;
}

/// <summary>
/// The one way features get prices: knows which tickers exist and asks the configured provider.
/// Caching, key budgets and failover between providers plug in here.
/// </summary>
public sealed class QuoteSource(IQuoteProvider provider, StockUniverse universe, ILogger<QuoteSource> logger)
{
    public bool TryGetStock(string ticker, out StockInfo? info) => universe.TryGet(ticker, out info);

    /// <summary>A current quote for a known ticker, or <see cref="QuoteUnavailableException"/>.</summary>
    public async Task<Quote> GetQuoteAsync(string ticker, CancellationToken cancellationToken)
    {
        var quotes = await GetQuotesAsync([ticker], cancellationToken);
        return quotes.TryGetValue(ticker, out var quote) ? quote : throw new QuoteUnavailableException(ticker);
    }

    public async Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
    {
        if (tickers.Count == 0)
        {
            return new Dictionary<string, Quote>();
        }
        try
        {
            return await provider.GetQuotesAsync(tickers, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Quote provider {Provider} failed for {Count} tickers", provider.Name, tickers.Count);
            throw new QuoteUnavailableException(string.Join(",", tickers.Take(5)), ex);
        }
    }

    /// <summary>Quotes for views that can live without some prices: a failure gives an empty answer, never an error.</summary>
    public async Task<IReadOnlyDictionary<string, Quote>> TryGetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
    {
        try
        {
            return await GetQuotesAsync(tickers, cancellationToken);
        }
        catch (QuoteUnavailableException)
        {
            return new Dictionary<string, Quote>();
        }
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
}

public sealed record QuoteResponse(string Ticker, string Name, decimal Price, decimal PreviousClose, decimal Change,
    decimal ChangePct, DateTimeOffset AsOf, string Source, MarketSessionKind MarketSession);

public static class MarketDataEndpoints
{
    public static IHostApplicationBuilder AddMarketData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StockUniverse>();
        builder.Services.AddSingleton<SimulatedQuoteProvider>();
        builder.Services.AddSingleton<IQuoteProvider>(sp => sp.GetRequiredService<SimulatedQuoteProvider>());
        builder.Services.AddSingleton<QuoteSource>();
        return builder;
    }

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
        var q = await quotes.GetQuoteAsync(symbol, ct);
        var change = q.Price - q.PreviousClose;
        var pct = q.PreviousClose == 0 ? 0 : decimal.Round(change / q.PreviousClose * 100, 4);
        return TypedResults.Ok(new QuoteResponse(q.Ticker, info!.Name, q.Price, q.PreviousClose, change, pct, q.AsOf, q.Source, q.Session));
    }

    internal static string Truncate(string s) => s.Length <= 20 ? s : s[..20] + "…";
}

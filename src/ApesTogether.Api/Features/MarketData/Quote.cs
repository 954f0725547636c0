using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>A price for one ticker at one instant, with the previous session's close for day change.</summary>
public sealed record Quote(
    string Ticker,
    decimal Price,
    decimal PreviousClose,
    DateTimeOffset AsOf,
    string Source,
    MarketSessionKind Session);

public enum AssetKind { Stock, Etf }

public sealed record StockInfo(string Ticker, string Name, string Sector, string Industry, AssetKind Kind);

/// <summary>
/// A source of prices (simulator, AlphaVantage, Yahoo). Providers answer only for tickers they know;
/// a ticker missing from the answer has no price there.
/// </summary>
public interface IQuoteProvider
{
    string Name { get; }

    Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken);

    /// <summary>The official opening price of a ticker for one session, or null when the provider has none.</summary>
    Task<decimal?> GetSessionOpenAsync(string ticker, DateOnly sessionDate, CancellationToken cancellationToken);
}

using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// A price for one ticker at one instant, with the previous session's close for day change, the session's open when
/// the source gives it, and whether it is a last-known price served past its lifetime because no provider answered.
/// </summary>
public sealed record Quote(
    string Ticker,
    decimal Price,
    decimal PreviousClose,
    DateTimeOffset AsOf,
    string Source,
    MarketSessionKind Session,
    decimal? Open = null,
    bool Stale = false);

public sealed record CompanyProfile(string Ticker, string Name, string? Sector, string? Industry, decimal? MarketCapitalization);

/// <summary>One session's official open and close.</summary>
public sealed record SessionPrices(DateOnly Date, decimal? Open, decimal Close);

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

    /// <summary>Company facts (name, sector, industry, market capitalisation), or null when the provider has none.</summary>
    Task<CompanyProfile?> GetProfileAsync(string ticker, CancellationToken cancellationToken);

    /// <summary>Official daily opens and closes between two exchange dates (inclusive), ascending; empty when unknown.</summary>
    Task<IReadOnlyList<SessionPrices>> GetDailyPricesAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Trades;

namespace ApesTogether.Api.Features.Portfolios;

public sealed record MarketSummary(bool IsOpen, MarketSessionKind Session, DateTimeOffset NextOpen, DateTimeOffset NextClose);

public sealed record HoldingView(string Ticker, decimal Quantity, decimal? Price, decimal Value, decimal AverageCost, decimal CostBasis,
    decimal Gain, decimal GainPct, decimal DayChange, decimal DayChangePct, string PriceSource, DateTimeOffset? PriceAsOf, bool PriceStale);

public sealed record PortfolioTotals(decimal HoldingsValue, decimal CashProceeds, decimal TotalValue, decimal CapitalDeployed,
    decimal TotalGain, decimal TotalReturnPct, decimal DayChange, decimal DayChangePct);

public sealed record RealtimePortfolioResponse(DateTimeOffset AsOf, MarketSummary Market, IReadOnlyList<HoldingView> Holdings, PortfolioTotals Totals);

/// <summary>
/// Values a portfolio at current prices. A holding whose price cannot be had right now is valued at its average
/// cost and says so (<c>price_source: "cost_basis"</c>), so a vendor outage never breaks the view.
/// </summary>
public sealed class PortfolioValuation(AppDbContext db, PositionsCache positions, QuoteSource quotes, MarketCalendar calendar, TimeProvider clock)
{
    public const string CostBasisSource = "cost_basis";

    public async Task<RealtimePortfolioResponse> ValueAsync(long userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var stored = await positions.GetAsync(db, userId, ct);
        var holdings = stored.Holdings;
        var prices = await quotes.TryGetQuotesAsync(holdings.Select(h => h.Ticker).ToList(), ct);

        var views = holdings.OrderBy(h => h.Ticker, StringComparer.Ordinal).Select(h => View(h, prices.GetValueOrDefault(h.Ticker))).ToList();
        var holdingsValue = views.Sum(v => v.Value);
        var dayChange = views.Sum(v => v.DayChange);
        var totalValue = holdingsValue + stored.CashProceeds;
        var totalGain = totalValue - stored.CapitalDeployed;
        var state = calendar.GetState(now);
        return new RealtimePortfolioResponse(now,
            new MarketSummary(state.IsOpen, state.Session, state.NextOpen, state.NextClose),
            views,
            new PortfolioTotals(holdingsValue, stored.CashProceeds, totalValue, stored.CapitalDeployed, totalGain,
                Percent(totalGain, stored.CapitalDeployed), dayChange, Percent(dayChange, totalValue - dayChange)));
    }

    static HoldingView View(Holding h, Quote? quote)
    {
        var price = quote?.Price ?? h.AverageCost;
        var value = Money(h.Quantity * price);
        var costBasis = Money(h.Quantity * h.AverageCost);
        var dayChange = quote is null ? 0m : Money(h.Quantity * (quote.Price - quote.PreviousClose));
        return new HoldingView(h.Ticker, h.Quantity, quote?.Price, value, h.AverageCost, costBasis, value - costBasis,
            Percent(value - costBasis, costBasis), dayChange,
            quote is null ? 0m : Percent(quote.Price - quote.PreviousClose, quote.PreviousClose),
            quote?.Source ?? CostBasisSource, quote?.AsOf, quote?.Stale ?? false);
    }

    static decimal Money(decimal amount) => decimal.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>Percent units (12.5 means 12.5 %), four decimals; zero when the base is zero.</summary>
    public static decimal Percent(decimal part, decimal whole) =>
        whole == 0m ? 0m : decimal.Round(part / whole * 100m, 4, MidpointRounding.AwayFromZero);
}

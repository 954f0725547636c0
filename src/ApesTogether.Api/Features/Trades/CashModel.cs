namespace ApesTogether.Api.Features.Trades;

/// <summary>
/// The cash model: a buy spends cash proceeds first and deploys new capital only for the rest; a sale adds its
/// proceeds; capital deployed never falls. So new money is never counted as gain.
/// </summary>
public readonly record struct CashState(decimal CapitalDeployed, decimal CashProceeds)
{
    public CashState Buy(decimal total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        return CashProceeds >= total
            ? this with { CashProceeds = CashProceeds - total }
            : new CashState(CapitalDeployed + (total - CashProceeds), 0m);
    }

    public CashState Sell(decimal total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        return this with { CashProceeds = CashProceeds + total };
    }

    public CashState Apply(TradeAction action, decimal total) => action == TradeAction.Buy ? Buy(total) : Sell(total);
}

/// <summary>A position: quantity and weighted-average cost per share.</summary>
public readonly record struct Position(decimal Quantity, decimal AverageCost)
{
    public Position Buy(decimal quantity, decimal total)
    {
        var newQuantity = Quantity + quantity;
        var cost = decimal.Round((Quantity * AverageCost + total) / newQuantity, TradeMath.QuantityScale, MidpointRounding.AwayFromZero);
        return new Position(newQuantity, cost);
    }

    /// <summary>Selling leaves the average cost of the remaining shares unchanged.</summary>
    public Position Sell(decimal quantity)
    {
        if (quantity > Quantity)
        {
            throw new InvalidOperationException($"Cannot sell {quantity} of {Quantity}.");
        }
        return this with { Quantity = Quantity - quantity };
    }

    public Position Apply(TradeAction action, decimal quantity, decimal total) =>
        action == TradeAction.Buy ? Buy(quantity, total) : Sell(quantity);
}

public static class TradeMath
{
    public const int QuantityScale = 6;
    public const decimal MaxQuantity = 1_000_000m;
    public const decimal MaxOrderValue = 10_000_000m;
    public const decimal MinOrderValue = 0.01m;

    /// <summary>The cash an order moves: quantity × price in whole cents, half a cent rounding away from zero.</summary>
    public static decimal Total(decimal quantity, decimal price) =>
        decimal.Round(quantity * price, 2, MidpointRounding.AwayFromZero);
}

public sealed class TradingOptions
{
    public const string Section = "Trading";

    /// <summary>Most different tickers one portfolio may hold (counting queued buys of new tickers).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int MaxHoldings { get; set; } = 200;

    /// <summary>
    /// Longest a user's holdings and cash are reused by reads (<see cref="PositionsCache"/>). Trades in this process drop the
    /// entry at once; the lifetime only bounds how late another replica's trade shows here. Zero reads the database every time.
    /// </summary>
    [Infrastructure.TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan PositionsCacheLifetime { get; set; } = TimeSpan.FromSeconds(5);
}

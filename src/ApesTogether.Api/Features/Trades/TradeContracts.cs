using System.ComponentModel.DataAnnotations;
using ApesTogether.Api.Infrastructure;

namespace ApesTogether.Api.Features.Trades;

public sealed class TradeRequest
{
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9.\\-]{0,9}$", ErrorMessage = "The field ticker must be 1–10 letters, digits, '.' or '-', starting with a letter.")]
    public string Ticker { get; init; } = "";

    [Required, MaxDecimalPlaces(TradeMath.QuantityScale)]
    [DecimalRange("0.000001", "1000000", ErrorMessage = "The field quantity must be greater than 0 and at most 1,000,000.")]
    public decimal? Quantity { get; init; }

    [Required, AllowedValues("buy", "sell", ErrorMessage = "The field action must be 'buy' or 'sell'.")]
    public string Action { get; init; } = "";

    /// <summary>Ignored: the server prices every trade. Accepted so that older clients sending it are not refused.</summary>
    public decimal? Price { get; init; }
}

public sealed record TransactionResponse(long Id, string Ticker, TradeAction Action, decimal Quantity, decimal Price,
    decimal Total, DateTime ExecutedAt, string PriceSource, string MarketSession)
{
    public static TransactionResponse From(StockTransaction t) =>
        new(t.Id, t.Ticker, t.Action, t.Quantity, t.Price, t.Total, t.ExecutedAt, t.PriceSource, t.MarketSession);
}

public sealed record HoldingState(string Ticker, decimal Quantity, decimal AverageCost);

public sealed record CashResponse(decimal CapitalDeployed, decimal CashProceeds);

public sealed record TradeExecutedResponse(TransactionResponse Transaction, HoldingState Holding, CashResponse Cash);

public sealed record PendingTradeResponse(long Id, string Ticker, TradeAction Action, decimal Quantity, PendingTradeStatus Status,
    DateTime QueuedAt, DateTime ExecutesAt, DateTime? SettledAt, long? TransactionId, string? FailureReason)
{
    public static PendingTradeResponse From(PendingTrade p) =>
        new(p.Id, p.Ticker, p.Action, p.Quantity, p.Status, p.QueuedAt, p.ExecutesAt, p.SettledAt, p.TransactionId, p.FailureReason);
}

public sealed record TradeQueuedResponse(PendingTradeResponse Pending);

public sealed record CancelPendingResponse(long Id, PendingTradeStatus Status);

/// <summary>Why a trade was refused: becomes a problem answer with this status and code.</summary>
public sealed record TradeRejection(int Status, string Code, string Title, string Detail, Dictionary<string, object?>? Extensions = null)
{
    public Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ToProblem() => ApiProblem.Of(Status, Code, Title, Detail, Extensions);
}

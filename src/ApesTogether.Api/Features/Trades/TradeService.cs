using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Trades;

public sealed record TradeCommand(long UserId, string Ticker, TradeAction Action, decimal Quantity, string? IdempotencyKey);

/// <summary>What became of a trade request.</summary>
public abstract record TradeOutcome
{
    public sealed record Executed(TradeExecutedResponse Response) : TradeOutcome;
    public sealed record Queued(TradeQueuedResponse Response) : TradeOutcome;
    /// <summary>A retry with a known Idempotency-Key: the first answer, as it was sent.</summary>
    public sealed record Replayed(string ResponseJson) : TradeOutcome;
    public sealed record Rejected(TradeRejection Rejection) : TradeOutcome;
}

/// <summary>
/// The one write path for trades, used by people, the market-open settlement and (later) agents. Every change of
/// holdings, cash and ledger for a user happens inside one database transaction that first takes that user's
/// write lock (a version bump of the cash row), so concurrent or retried trades can neither oversell nor lose updates.
/// </summary>
public sealed class TradeService(AppDbContext db, QuoteSource quotes, MarketCalendar calendar, TimeProvider clock,
    IOptions<JsonOptions> json, IOptions<TradingOptions> trading, Events.Outbox outbox, PositionsCache positions, ILogger<TradeService> logger)
{
    public async Task<TradeOutcome> PlaceAsync(TradeCommand command, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var market = calendar.GetState(now);
        // Priced before the lock, so no lock is ever held across a call to a vendor. While closed, the last
        // close only estimates the order value; the fill is at the next open.
        var quote = market.IsOpen
            ? await quotes.GetQuoteAsync(command.Ticker, ct)
            : (await quotes.TryGetQuotesAsync([command.Ticker], ct)).GetValueOrDefault(command.Ticker);
        var requestHash = HashRequest(command);

        return await InUserTransactionAsync<TradeOutcome>(command.UserId, async () =>
        {
            if (command.IdempotencyKey is not null)
            {
                var previous = await db.IdempotencyRecords.AsNoTracking()
                    .SingleOrDefaultAsync(r => r.UserId == command.UserId && r.Key == command.IdempotencyKey, ct);
                if (previous is not null)
                {
                    return previous.RequestHash == requestHash
                        ? new TradeOutcome.Replayed(previous.ResponseJson)
                        : Reject(StatusCodes.Status409Conflict, ErrorCodes.IdempotencyKeyReused, "Idempotency-Key reused",
                            "This Idempotency-Key was already used for a different request.");
                }
            }

            TradeOutcome outcome;
            if (market.IsOpen)
            {
                var result = await ExecuteLockedAsync(command.UserId, command.Ticker, command.Action, command.Quantity,
                    quote!.Price, now.UtcDateTime, quote.Source, SessionName(market.Session), pendingTradeId: null, ct);
                outcome = result.Rejection is not null ? new TradeOutcome.Rejected(result.Rejection) : new TradeOutcome.Executed(result.Response!);
            }
            else
            {
                outcome = await QueueLockedAsync(command, quote?.Price, now, ct);
            }

            if (command.IdempotencyKey is not null && outcome is TradeOutcome.Executed or TradeOutcome.Queued)
            {
                object body = outcome is TradeOutcome.Executed e ? e.Response : ((TradeOutcome.Queued)outcome).Response;
                db.IdempotencyRecords.Add(new IdempotencyRecord
                {
                    UserId = command.UserId,
                    Key = command.IdempotencyKey,
                    RequestHash = requestHash,
                    StatusCode = outcome is TradeOutcome.Executed ? StatusCodes.Status201Created : StatusCodes.Status202Accepted,
                    ResponseJson = JsonSerializer.Serialize(body, body.GetType(), json.Value.SerializerOptions),
                    CreatedAt = now.UtcDateTime,
                });
                await db.SaveChangesAsync(ct);
            }
            return outcome;
        }, ct);
    }

    /// <summary>Settles one queued trade at the given session opening price; a trade no longer queued is left alone.</summary>
    public async Task<PendingTradeStatus?> SettleAsync(long pendingTradeId, long userId, decimal openPrice, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await InUserTransactionAsync(userId, async () =>
        {
            var pending = await db.PendingTrades.SingleOrDefaultAsync(p => p.Id == pendingTradeId && p.UserId == userId, ct);
            if (pending is null || pending.Status != PendingTradeStatus.Queued)
            {
                return (PendingTradeStatus?)null;
            }
            var result = await ExecuteLockedAsync(userId, pending.Ticker, pending.Action, pending.Quantity, openPrice,
                pending.ExecutesAt, "session_open", SessionName(MarketSessionKind.Regular), pending.Id, ct);
            pending.SettledAt = now;
            if (result.Rejection is not null)
            {
                pending.Status = PendingTradeStatus.Failed;
                var reason = $"{result.Rejection.Code}: {result.Rejection.Detail}";
                pending.FailureReason = reason.Length <= 200 ? reason : reason[..200];
            }
            else
            {
                pending.Status = PendingTradeStatus.Executed;
                pending.TransactionId = result.Response!.Transaction.Id;
            }
            await db.SaveChangesAsync(ct);
            return pending.Status;
        }, ct);
    }

    public async Task<TradeOutcome> CancelPendingAsync(long userId, long pendingTradeId, CancellationToken ct) =>
        await InUserTransactionAsync<TradeOutcome>(userId, async () =>
        {
            var pending = await db.PendingTrades.SingleOrDefaultAsync(p => p.Id == pendingTradeId && p.UserId == userId, ct);
            if (pending is null)
            {
                return Reject(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "Not found", $"No pending trade {pendingTradeId}.");
            }
            if (pending.Status != PendingTradeStatus.Queued)
            {
                return Reject(StatusCodes.Status409Conflict, ErrorCodes.NotCancelable, "Not cancelable",
                    $"The pending trade is {pending.Status.ToString().ToLowerInvariant()}, not queued.",
                    new() { ["current_status"] = pending.Status.ToString().ToLowerInvariant() });
            }
            pending.Status = PendingTradeStatus.Canceled;
            pending.SettledAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            return new TradeOutcome.Queued(new TradeQueuedResponse(PendingTradeResponse.From(pending)));
        }, ct);

    sealed record ExecutionResult(TradeExecutedResponse? Response, TradeRejection? Rejection);

    async Task<ExecutionResult> ExecuteLockedAsync(long userId, string ticker, TradeAction action, decimal quantity,
        decimal price, DateTime executedAt, string priceSource, string session, long? pendingTradeId, CancellationToken ct)
    {
        var total = TradeMath.Total(quantity, price);
        if (CheckOrderValue(total) is { } valueRejection)
        {
            return new ExecutionResult(null, valueRejection);
        }

        // The cash row and the ticker's holding (if any) in one round trip, both tracked for the update below.
        var state = await (
            from c in db.CashAccounts.Where(c => c.UserId == userId)
            join h in db.Holdings.Where(h => h.Ticker == ticker) on c.UserId equals h.UserId into held
            from h in held.DefaultIfEmpty()
            select new { Account = c, Holding = h }).SingleAsync(ct);
        var holding = state.Holding;
        if (action == TradeAction.Sell)
        {
            var available = (holding?.Quantity ?? 0m) - await QueuedSellsAsync(userId, ticker, pendingTradeId, ct);
            if (quantity > available)
            {
                return new ExecutionResult(null, InsufficientShares(ticker, quantity, available));
            }
        }
        else if (holding is null && await TooManyHoldingsAsync(userId, ticker, ct) is { } capRejection)
        {
            return new ExecutionResult(null, capRejection);
        }

        var account = state.Account;
        var cash = new CashState(account.CapitalDeployed, account.CashProceeds).Apply(action, total);
        account.CapitalDeployed = cash.CapitalDeployed;
        account.CashProceeds = cash.CashProceeds;
        account.UpdatedAt = executedAt;

        var position = new Position(holding?.Quantity ?? 0m, holding?.AverageCost ?? 0m).Apply(action, quantity, total);
        if (holding is null)
        {
            holding = new Holding { UserId = userId, Ticker = ticker, OpenedAt = executedAt };
            db.Holdings.Add(holding);
        }
        holding.Quantity = position.Quantity;
        holding.AverageCost = position.AverageCost;
        holding.UpdatedAt = executedAt;
        if (position.Quantity == 0m)
        {
            db.Holdings.Remove(holding);
        }

        var transaction = new StockTransaction
        {
            UserId = userId,
            Ticker = ticker,
            Action = action,
            Quantity = quantity,
            Price = price,
            Total = total,
            ExecutedAt = executedAt,
            PriceSource = priceSource,
            MarketSession = session,
            PendingTradeId = pendingTradeId,
            CapitalDeployedAfter = cash.CapitalDeployed,
            CashProceedsAfter = cash.CashProceeds,
        };
        db.Transactions.Add(transaction);
        await db.SaveChangesAsync(ct);
        // The event commits with the trade or not at all (outbox); the dispatcher delivers it after the commit.
        outbox.Add(new Events.TradeExecuted(Guid.NewGuid(), transaction.Id, userId, ticker, action, quantity, price, total, executedAt, pendingTradeId));
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Executed {Action} {Quantity} {Ticker} at {Price} for user {UserId}", action, quantity, ticker, price, userId);

        return new ExecutionResult(new TradeExecutedResponse(
            TransactionResponse.From(transaction),
            new HoldingState(ticker, position.Quantity, position.AverageCost),
            new CashResponse(cash.CapitalDeployed, cash.CashProceeds)), null);
    }

    async Task<TradeOutcome> QueueLockedAsync(TradeCommand command, decimal? lastPrice, DateTimeOffset now, CancellationToken ct)
    {
        if (lastPrice is { } estimate && TradeMath.Total(command.Quantity, estimate) > TradeMath.MaxOrderValue)
        {
            return new TradeOutcome.Rejected(CheckOrderValue(TradeMath.Total(command.Quantity, estimate))!);
        }
        if (command.Action == TradeAction.Sell)
        {
            var held = await db.Holdings.Where(h => h.UserId == command.UserId && h.Ticker == command.Ticker)
                .Select(h => (decimal?)h.Quantity).SingleOrDefaultAsync(ct) ?? 0m;
            var available = held - await QueuedSellsAsync(command.UserId, command.Ticker, exceptPendingId: null, ct);
            if (command.Quantity > available)
            {
                return new TradeOutcome.Rejected(InsufficientShares(command.Ticker, command.Quantity, available));
            }
        }
        else if (!await db.Holdings.AnyAsync(h => h.UserId == command.UserId && h.Ticker == command.Ticker, ct) &&
                 await TooManyHoldingsAsync(command.UserId, command.Ticker, ct) is { } capRejection)
        {
            return new TradeOutcome.Rejected(capRejection);
        }

        var pending = new PendingTrade
        {
            UserId = command.UserId,
            Ticker = command.Ticker,
            Action = command.Action,
            Quantity = command.Quantity,
            Status = PendingTradeStatus.Queued,
            QueuedAt = now.UtcDateTime,
            ExecutesAt = calendar.NextSessionOpeningAfter(now).Open.UtcDateTime,
        };
        db.PendingTrades.Add(pending);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Queued {Action} {Quantity} {Ticker} for user {UserId} until {ExecutesAt}",
            command.Action, command.Quantity, command.Ticker, command.UserId, pending.ExecutesAt);
        return new TradeOutcome.Queued(new TradeQueuedResponse(PendingTradeResponse.From(pending)));
    }

    // Decimals are summed in memory: SQLite stores them as text and cannot add them exactly.
    async Task<decimal> QueuedSellsAsync(long userId, string ticker, long? exceptPendingId, CancellationToken ct) =>
        (await db.PendingTrades
            .Where(p => p.UserId == userId && p.Ticker == ticker && p.Action == TradeAction.Sell &&
                        p.Status == PendingTradeStatus.Queued && p.Id != exceptPendingId)
            .Select(p => p.Quantity).ToListAsync(ct)).Sum();

    async Task<TradeRejection?> TooManyHoldingsAsync(long userId, string ticker, CancellationToken ct)
    {
        var held = await db.Holdings.Where(h => h.UserId == userId).Select(h => h.Ticker).ToListAsync(ct);
        var queuedNew = await db.PendingTrades
            .Where(p => p.UserId == userId && p.Action == TradeAction.Buy && p.Status == PendingTradeStatus.Queued)
            .Select(p => p.Ticker).ToListAsync(ct);
        var tickers = held.Concat(queuedNew).Where(t => t != ticker).ToHashSet();
        var max = trading.Value.MaxHoldings;
        return tickers.Count >= max
            ? new TradeRejection(StatusCodes.Status409Conflict, ErrorCodes.TooManyHoldings, "Too many holdings",
                $"A portfolio holds at most {max} different tickers.", new() { ["max_holdings"] = max })
            : null;
    }

    static TradeRejection? CheckOrderValue(decimal total) => total switch
    {
        > TradeMath.MaxOrderValue => new TradeRejection(StatusCodes.Status400BadRequest, ErrorCodes.OrderTooLarge, "Order too large",
            $"The order is worth {total.ToString("N2", CultureInfo.InvariantCulture)}; the most one order may be worth is 10,000,000.00.",
            new() { ["max_order_value"] = TradeMath.MaxOrderValue }),
        < TradeMath.MinOrderValue => new TradeRejection(StatusCodes.Status400BadRequest, ErrorCodes.OrderTooSmall, "Order too small",
            "The order is worth less than one cent.", new() { ["min_order_value"] = TradeMath.MinOrderValue }),
        _ => null,
    };

    static TradeRejection InsufficientShares(string ticker, decimal wanted, decimal available) =>
        new(StatusCodes.Status409Conflict, ErrorCodes.InsufficientShares, "Insufficient shares",
            $"Cannot sell {wanted.ToString(CultureInfo.InvariantCulture)} {ticker}: {Math.Max(0, available).ToString(CultureInfo.InvariantCulture)} available (held minus queued sells).",
            new() { ["available"] = Math.Max(0, available) });

    static TradeOutcome.Rejected Reject(int status, string code, string title, string detail, Dictionary<string, object?>? ext = null) =>
        new(new TradeRejection(status, code, title, detail, ext));

    internal static string SessionName(MarketSessionKind session) => JsonNamingPolicy.SnakeCaseLower.ConvertName(session.ToString());

    static string HashRequest(TradeCommand c) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"trade|{c.Ticker}|{c.Action}|{(c.Quantity / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture)}")));

    async Task<T> InUserTransactionAsync<T>(long userId, Func<Task<T>> work, CancellationToken ct)
    {
        var result = await db.InUserTransactionAsync(positions, userId, work, ct);
        outbox.Committed();
        return result;
    }
}

using System.Security.Claims;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Trades;

public static class TradeEndpoints
{
    public const int MaxIdempotencyKeyLength = 100;

    public static IHostApplicationBuilder AddTrades(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TradingOptions>().BindConfiguration(TradingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PositionsCache>();
        builder.Services.AddScoped<TradeService>();
        builder.Services.AddScoped<MarketOpenSettlement>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTrades(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/trade", PlaceTrade).WithTags("Trades").RequireAuthorization();
        var pending = app.MapGroup("/api/v1/portfolio/pending-trades").WithTags("Trades").RequireAuthorization();
        pending.MapGet("/", ListPending);
        pending.MapDelete("/{id:long}", CancelPending);
        return app;
    }

    static async Task<Results<Created<TradeExecutedResponse>, Accepted<TradeQueuedResponse>, ContentHttpResult, ProblemHttpResult>> PlaceTrade(
        TradeRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal principal, TradeService trades, QuoteSource quotes, CancellationToken ct)
    {
        if (idempotencyKey is not null && !IsValidIdempotencyKey(idempotencyKey))
        {
            return ApiProblem.Validation("Idempotency-Key",
                $"The Idempotency-Key header must be 1–{MaxIdempotencyKeyLength} visible ASCII characters.");
        }
        var ticker = StockUniverse.Normalize(request.Ticker);
        if (!quotes.TryGetStock(ticker, out _))
        {
            return ApiProblem.NotFound(ErrorCodes.UnknownTicker, $"'{ticker}' is not a tradable ticker.");
        }
        var action = request.Action == "buy" ? TradeAction.Buy : TradeAction.Sell;

        var outcome = await trades.PlaceAsync(new TradeCommand(principal.GetUserId(), ticker, action, request.Quantity!.Value, idempotencyKey), ct);

        return outcome switch
        {
            TradeOutcome.Executed e => TypedResults.Created((string?)null, e.Response),
            TradeOutcome.Queued q => TypedResults.Accepted("/api/v1/portfolio/pending-trades", q.Response),
            TradeOutcome.Replayed r => TypedResults.Text(r.ResponseJson, "application/json", statusCode: StatusCodes.Status200OK),
            TradeOutcome.Rejected x => x.Rejection.ToProblem(),
            _ => throw new InvalidOperationException($"Unexpected outcome {outcome}"),
        };
    }

    internal static bool IsValidIdempotencyKey(string key) =>
        key.Length is > 0 and <= MaxIdempotencyKeyLength && key.All(c => c is > ' ' and <= '~');

    static async Task<Ok<PendingTradeListResponse>> ListPending(ClaimsPrincipal principal, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        var recent = clock.GetUtcNow().UtcDateTime.AddDays(-7);
        var items = await db.PendingTrades.AsNoTracking()
            .Where(p => p.UserId == userId && (p.Status == PendingTradeStatus.Queued || p.QueuedAt >= recent || p.SettledAt >= recent))
            .OrderByDescending(p => p.Id)
            .Take(200)
            .ToListAsync(ct);
        return TypedResults.Ok(new PendingTradeListResponse(items.Select(PendingTradeResponse.From).ToList()));
    }

    static async Task<Results<Ok<CancelPendingResponse>, ProblemHttpResult>> CancelPending(
        long id, ClaimsPrincipal principal, TradeService trades, CancellationToken ct)
    {
        var outcome = await trades.CancelPendingAsync(principal.GetUserId(), id, ct);
        return outcome switch
        {
            TradeOutcome.Queued q => TypedResults.Ok(new CancelPendingResponse(q.Response.Pending.Id, q.Response.Pending.Status)),
            TradeOutcome.Rejected x => x.Rejection.ToProblem(),
            _ => throw new InvalidOperationException($"Unexpected outcome {outcome}"),
        };
    }
}

public sealed record PendingTradeListResponse(IReadOnlyList<PendingTradeResponse> Items);

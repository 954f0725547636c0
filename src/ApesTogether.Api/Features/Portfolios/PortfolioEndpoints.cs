using System.Security.Claims;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Features.Subscriptions;
using ApesTogether.Api.Features.Trades;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Portfolios;

public sealed record TransactionPage(IReadOnlyList<TransactionResponse> Items, string? NextCursor);

public sealed record PublicUser(string Username, string? DisplayName, bool IsAgent, int SubscriberCount, DateTime JoinedAt);

public sealed record RecentTrade(string Ticker, TradeAction Action, decimal Quantity, decimal? Price, string Status, DateTime Timestamp, long? PendingId);

public sealed record PublicPortfolioResponse(
    PublicUser User,
    IReadOnlyDictionary<string, decimal?> Performance,
    string Access,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<HoldingView>? Holdings,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<RecentTrade>? RecentTrades,
    decimal? SinceInceptionPct,
    PublicRisk Risk);

/// <summary>Risk over the 1Y window (daily closes), in percent except the Sharpe ratio; null where the history is too short.</summary>
public sealed record PublicRisk(decimal? VolatilityPct, decimal? MaxDrawdownPct, decimal? SharpeRatio, decimal? AlphaPct)
{
    public static PublicRisk From(PerformanceResult? year) => year?.Risk is not { } risk
        ? new PublicRisk(null, null, null, null)
        : new PublicRisk(
            Returns.ToPercent(risk.Volatility),
            Returns.ToPercent(risk.MaxDrawdown),
            risk.SharpeRatio is { } sharpe ? decimal.Round(sharpe, Returns.PercentDecimals, MidpointRounding.AwayFromZero) : null,
            PerformanceEndpoints.Percent(year.Alpha));
}

public static class PortfolioEndpoints
{
    public const int RecentTradeCount = 20;

    /// <summary>The periods of API.md, in the order clients show them.</summary>
    public static readonly string[] Periods = ["1d", "5d", "7d", "1m", "3m", "ytd", "1y", "max"];

    public static IHostApplicationBuilder AddPortfolios(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PortfolioValuation>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPortfolios(this IEndpointRouteBuilder app)
    {
        var portfolio = app.MapGroup("/api/v1/portfolio").WithTags("Portfolios");
        portfolio.MapGet("/realtime", Realtime).RequireAuthorization();
        portfolio.MapGet("/transactions", Transactions).RequireAuthorization();
        portfolio.MapGet("/public/{username}", Public);
        return app;
    }

    static async Task<Ok<RealtimePortfolioResponse>> Realtime(ClaimsPrincipal principal, PortfolioValuation valuation, CancellationToken ct) =>
        TypedResults.Ok(await valuation.ValueAsync(principal.GetUserId(), ct));

    static async Task<Results<Ok<TransactionPage>, ProblemHttpResult>> Transactions(
        int? limit, string? before, ClaimsPrincipal principal, AppDbContext db, CancellationToken ct)
    {
        if (!CursorPage.TryParse(limit, before, out var page, out var problem))
        {
            return problem;
        }
        var userId = principal.GetUserId();
        var rows = await db.Transactions.AsNoTracking()
            .Where(t => t.UserId == userId && (page.Before == null || t.Id < page.Before))
            .OrderByDescending(t => t.Id)
            .Take(page.Size + 1)
            .ToListAsync(ct);
        var (items, next) = page.Cut(rows, t => t.Id);
        return TypedResults.Ok(new TransactionPage(items.Select(TransactionResponse.From).ToList(), next));
    }

    static async Task<Results<Ok<PublicPortfolioResponse>, ProblemHttpResult>> Public(
        string username, ClaimsPrincipal principal, AppDbContext db, PortfolioValuation valuation, PerformanceSummaryCache summaries,
        SubscriberCounts subscribers, CancellationToken ct)
    {
        var normalized = username.Trim().ToLowerInvariant();
        if (normalized.Length is 0 or > 30)
        {
            return ApiProblem.NotFound(ErrorCodes.UserNotFound, "No such user.");
        }
        // One round trip: the owner, their subscriber count and whether the viewer has access (the rule is SubscriberCounts').
        var viewer = principal.TryGetUserId();
        var withAccess = subscribers.WithAccess();
        var owner = await db.Users.AsNoTracking().Where(u => u.NormalizedUsername == normalized)
            .Select(u => new
            {
                u.Id, u.Username, u.DisplayName, u.IsAgent, u.CreatedAt,
                Subscribers = withAccess.Count(s => s.CreatorUserId == u.Id),
                ViewerSubscribed = viewer != null && withAccess.Any(s => s.CreatorUserId == u.Id && s.SubscriberUserId == viewer),
            })
            .SingleOrDefaultAsync(ct);
        if (owner is null)
        {
            return ApiProblem.NotFound(ErrorCodes.UserNotFound, "No such user.");
        }

        // One load for every period; a period without two points is null rather than a made-up zero.
        var summary = await summaries.GetAsync(owner.Id, ct);
        var performance = PeriodNames.All.ToDictionary(p => p.ToApiKey(), p => PerformanceEndpoints.Percent(summary.Periods[p]?.Return));
        var sinceInception = PerformanceEndpoints.Percent(summary.SinceInception);
        var risk = PublicRisk.From(summary.Periods[Period.OneYear]);
        var user = new PublicUser(owner.Username, owner.DisplayName, owner.IsAgent, owner.Subscribers, owner.CreatedAt);
        // Full access: the owner, and a subscriber whose paid period has not ended (active, or canceled but paid up).
        var full = viewer == owner.Id || owner.ViewerSubscribed;
        if (!full)
        {
            return TypedResults.Ok(new PublicPortfolioResponse(user, performance, "preview", null, null, sinceInception, risk));
        }

        var holdings = (await valuation.ValueAsync(owner.Id, ct)).Holdings;
        var pending = await db.PendingTrades.AsNoTracking()
            .Where(p => p.UserId == owner.Id && p.Status == PendingTradeStatus.Queued)
            .OrderByDescending(p => p.Id).Take(RecentTradeCount).ToListAsync(ct);
        var executed = await db.Transactions.AsNoTracking()
            .Where(t => t.UserId == owner.Id).OrderByDescending(t => t.Id).Take(RecentTradeCount).ToListAsync(ct);
        var recent = pending.Select(p => new RecentTrade(p.Ticker, p.Action, p.Quantity, null, "pending", p.QueuedAt, p.Id))
            .Concat(executed.Select(t => new RecentTrade(t.Ticker, t.Action, t.Quantity, t.Price, "executed", t.ExecutedAt, null)))
            .ToList();
        return TypedResults.Ok(new PublicPortfolioResponse(user, performance, "full", holdings, recent, sinceInception, risk));
    }
}

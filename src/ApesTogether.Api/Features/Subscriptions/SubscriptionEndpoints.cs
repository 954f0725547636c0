using System.Security.Claims;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Subscriptions;

public static class SubscriptionEndpoints
{
    public const string AlreadySubscribed = "already_subscribed";
    public const string CannotSubscribeToSelf = "cannot_subscribe_to_self";
    public const string ReceiptInvalid = "receipt_invalid";
    public const string SubscriptionExpired = "subscription_expired";

    public static IHostApplicationBuilder AddSubscriptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SubscriptionOptions>().BindConfiguration(SubscriptionOptions.Section)
            .Validate(o => o.Tiers.Count > 0 && o.Tiers.ContainsKey(SubscriptionOptions.DefaultTier)
                && o.Tiers.Values.All(t => t.Price > 0 && t.PeriodMonths is >= 1 and <= 120 && !string.IsNullOrWhiteSpace(t.Name)),
                $"Subscriptions:Tiers needs a '{SubscriptionOptions.DefaultTier}' tier, and every tier a name, a price above 0 and 1–120 months.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IReceiptVerifier, SandboxReceiptVerifier>();
        builder.Services.AddScoped<SubscriptionService>();
        builder.Services.AddScoped<SubscriberCounts>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Subscriptions");
        api.MapGet("/subscription-tiers", (SubscriptionService service) => TypedResults.Ok(service.Tiers()));
        api.MapPost("/subscriptions", Subscribe).RequireAuthorization();
        api.MapGet("/subscriptions", Mine).RequireAuthorization();
        api.MapDelete("/subscriptions/{id:long}", Cancel).RequireAuthorization();
        api.MapPost("/subscriptions/{id:long}/renew", Renew).RequireAuthorization();
        api.MapGet("/subscribers", Subscribers).RequireAuthorization();
        return app;
    }

    static ProblemHttpResult ReceiptRejected() =>
        ApiProblem.Of(StatusCodes.Status402PaymentRequired, ReceiptInvalid, "Payment required", "The receipt was not accepted.");

    static async Task<Results<Created<SubscriptionCreatedResponse>, ProblemHttpResult>> Subscribe(
        SubscribeRequest request, ClaimsPrincipal principal, SubscriptionService service, CancellationToken ct)
    {
        var (subscription, creator, error) = await service.SubscribeAsync(principal.GetUserId(), request, ct);
        return error switch
        {
            SubscribeError.None => TypedResults.Created($"/api/v1/subscriptions/{subscription!.Id}",
                new SubscriptionCreatedResponse(subscription.Id, creator!, subscription.Status, subscription.StartedAt,
                    subscription.CurrentPeriodEnd, subscription.Price, subscription.Tier)),
            SubscribeError.InvalidTier => ApiProblem.Validation("tier", "The field tier must be the id of a subscription tier."),
            SubscribeError.UserNotFound => ApiProblem.NotFound(ErrorCodes.UserNotFound, "No such user."),
            SubscribeError.SelfSubscription => ApiProblem.Conflict(CannotSubscribeToSelf, "You cannot subscribe to yourself."),
            SubscribeError.AlreadySubscribed => ApiProblem.Conflict(AlreadySubscribed, "You already subscribe to this user."),
            _ => ReceiptRejected(),
        };
    }

    static async Task<Ok<MySubscriptionsResponse>> Mine(ClaimsPrincipal principal, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.Subscriptions.AsNoTracking().Where(s => s.SubscriberUserId == userId)
            .Join(db.Users, s => s.CreatorUserId, u => u.Id, (s, u) => new { s, u.Username, u.DisplayName })
            .OrderByDescending(x => x.s.StartedAt).ThenByDescending(x => x.s.Id)
            .ToListAsync(ct);
        var items = rows.Select(x => new MySubscriptionResponse(x.s.Id, x.Username, x.DisplayName, x.s.Tier, x.s.Price, x.s.Status,
            x.s.StartedAt, x.s.Status == SubscriptionStatus.Active ? x.s.CurrentPeriodEnd : null, x.s.CanceledAt, x.s.CurrentPeriodEnd,
            SubscriberCounts.GrantsAccess(x.s, now))).ToList();
        return TypedResults.Ok(new MySubscriptionsResponse(items));
    }

    static async Task<Ok<SubscribersResponse>> Subscribers(ClaimsPrincipal principal, AppDbContext db, SubscriberCounts counts, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        var items = await db.Subscriptions.AsNoTracking().Where(s => s.CreatorUserId == userId)
            .Join(db.Users, s => s.SubscriberUserId, u => u.Id, (s, u) => new { s, u.Username, u.DisplayName })
            .OrderByDescending(x => x.s.StartedAt).ThenByDescending(x => x.s.Id)
            .Select(x => new SubscriberResponse(x.Username, x.DisplayName, x.s.Status, x.s.StartedAt, x.s.CurrentPeriodEnd))
            .ToListAsync(ct);
        return TypedResults.Ok(new SubscribersResponse(await counts.CountAsync(userId, ct), items));
    }

    static async Task<Results<Ok<SubscriptionStatusResponse>, ProblemHttpResult>> Cancel(
        long id, ClaimsPrincipal principal, SubscriptionService service, CancellationToken ct)
    {
        var subscription = await service.CancelAsync(principal.GetUserId(), id, ct);
        return subscription is null
            ? ApiProblem.NotFound(ErrorCodes.NotFound, "No such subscription.")
            : TypedResults.Ok(new SubscriptionStatusResponse(subscription.Id, subscription.Status, subscription.CurrentPeriodEnd));
    }

    static async Task<Results<Ok<SubscriptionStatusResponse>, ProblemHttpResult>> Renew(
        long id, RenewRequest request, ClaimsPrincipal principal, SubscriptionService service, CancellationToken ct)
    {
        var (subscription, error) = await service.RenewAsync(principal.GetUserId(), id, request, ct);
        return error switch
        {
            RenewError.None => TypedResults.Ok(new SubscriptionStatusResponse(subscription!.Id, subscription.Status, subscription.CurrentPeriodEnd)),
            RenewError.NotFound => ApiProblem.NotFound(ErrorCodes.NotFound, "No such subscription."),
            RenewError.Expired => ApiProblem.Conflict(SubscriptionExpired, "The subscription has expired; subscribe again."),
            RenewError.Conflict => ApiProblem.Conflict(ErrorCodes.Conflict, "The subscription changed meanwhile; try again."),
            _ => ReceiptRejected(),
        };
    }
}

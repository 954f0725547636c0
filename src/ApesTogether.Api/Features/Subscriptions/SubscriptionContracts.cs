using System.ComponentModel.DataAnnotations;

namespace ApesTogether.Api.Features.Subscriptions;

public sealed class SubscribeRequest
{
    public const int MaxReceiptLength = 4096;

    /// <summary>The creator to subscribe to.</summary>
    [Required, StringLength(30, MinimumLength = 1)]
    public string Username { get; init; } = "";

    /// <summary>A tier id of <c>GET /subscription-tiers</c>; monthly when absent.</summary>
    [StringLength(30)]
    public string? Tier { get; init; }

    [StringLength(MaxReceiptLength, MinimumLength = 1)]
    public string? Receipt { get; init; }

    [RegularExpression("^(ios|android|web)$", ErrorMessage = "The field platform must be 'ios', 'android' or 'web'.")]
    public string? Platform { get; init; }
}

public sealed class RenewRequest
{
    [StringLength(SubscribeRequest.MaxReceiptLength, MinimumLength = 1)]
    public string? Receipt { get; init; }

    [RegularExpression("^(ios|android|web)$", ErrorMessage = "The field platform must be 'ios', 'android' or 'web'.")]
    public string? Platform { get; init; }
}

public sealed record SubscriptionTierResponse(string Id, string Name, decimal MonthlyPrice, string Description, decimal Price, int PeriodMonths);

public sealed record SubscriptionCreatedResponse(long Id, string Creator, string Status, DateTime StartedAt, DateTime RenewsAt, decimal Price, string Tier);

/// <summary>One of my subscriptions; renews_at is null once canceled or expired; access_until is the end of the paid period.</summary>
public sealed record MySubscriptionResponse(long Id, string Creator, string? CreatorDisplayName, string Tier, decimal Price, string Status,
    DateTime StartedAt, DateTime? RenewsAt, DateTime? CanceledAt, DateTime AccessUntil, bool HasAccess);

public sealed record MySubscriptionsResponse(IReadOnlyList<MySubscriptionResponse> Items);

public sealed record SubscriberResponse(string Username, string? DisplayName, string Status, DateTime StartedAt, DateTime AccessUntil);

/// <summary>count: subscribers with access now; items: every subscription to me, newest first.</summary>
public sealed record SubscribersResponse(int Count, IReadOnlyList<SubscriberResponse> Items);

public sealed record SubscriptionStatusResponse(long Id, string Status, DateTime AccessUntil);

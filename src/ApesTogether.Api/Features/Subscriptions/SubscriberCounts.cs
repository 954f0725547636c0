using System.Linq.Expressions;
using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Subscriptions;

/// <summary>
/// The one rule of access and of subscriber counts: a subscription grants access while it is active or canceled and its
/// paid period has not ended; an expired one never does.
/// </summary>
public sealed class SubscriberCounts(AppDbContext db, TimeProvider clock)
{
    public static Expression<Func<Subscription, bool>> GrantsAccess(DateTime now) =>
        s => (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.Canceled) && s.CurrentPeriodEnd > now;

    public static bool GrantsAccess(Subscription s, DateTime now) =>
        s.Status is SubscriptionStatus.Active or SubscriptionStatus.Canceled && s.CurrentPeriodEnd > now;

    DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The subscriptions that grant access now, to compose into a larger query (one round trip instead of several).</summary>
    public IQueryable<Subscription> WithAccess() => db.Subscriptions.AsNoTracking().Where(GrantsAccess(Now));

    public Task<int> CountAsync(long creatorId, CancellationToken ct) =>
        WithAccess().Where(s => s.CreatorUserId == creatorId).CountAsync(ct);

    /// <summary>Every creator with at least one subscriber with access, in one grouped query.</summary>
    public Task<Dictionary<long, int>> CountAllAsync(CancellationToken ct) =>
        WithAccess()
            .GroupBy(s => s.CreatorUserId)
            .Select(g => new { CreatorId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.CreatorId, g => g.Count, ct);

    public Task<bool> HasAccessAsync(long subscriberId, long creatorId, CancellationToken ct) =>
        WithAccess().Where(s => s.SubscriberUserId == subscriberId && s.CreatorUserId == creatorId).AnyAsync(ct);
}

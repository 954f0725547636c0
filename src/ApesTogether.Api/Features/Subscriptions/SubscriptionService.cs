using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Subscriptions;

public enum SubscribeError
{
    None,
    InvalidTier,
    UserNotFound,
    SelfSubscription,
    AlreadySubscribed,
    ReceiptInvalid,
}

public enum RenewError
{
    None,
    NotFound,
    Expired,
    ReceiptInvalid,
    Conflict,
}

/// <summary>
/// The subscription lifecycle: subscribe (active for one tier period), renew (another period from the current end),
/// cancel (no renewal; access until the period ends) and expiry (the period ended: expired, no access).
/// </summary>
public sealed class SubscriptionService(
    AppDbContext db,
    IReceiptVerifier verifier,
    IOptions<SubscriptionOptions> options,
    IHostEnvironment environment,
    TimeProvider clock,
    ILogger<SubscriptionService> logger)
{
    public IReadOnlyList<SubscriptionTierResponse> Tiers() =>
        options.Value.Tiers.OrderBy(t => t.Value.PeriodMonths).ThenBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new SubscriptionTierResponse(t.Key, t.Value.Name, MonthlyPrice(t.Value), t.Value.Description, t.Value.Price, t.Value.PeriodMonths))
            .ToList();

    public static decimal MonthlyPrice(SubscriptionTierOptions tier) =>
        decimal.Round(tier.Price / tier.PeriodMonths, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// A receipt must pass the verifier. Without one, a development host starts a free sandbox subscription; elsewhere
    /// a receipt is required.
    /// </summary>
    async Task<bool> ReceiptAcceptedAsync(string? platform, string? receipt, CancellationToken ct) =>
        receipt is null ? environment.IsDevelopment() : await verifier.VerifyAsync(platform, receipt, ct);

    public async Task<(Subscription? Subscription, string? Creator, SubscribeError Error)> SubscribeAsync(long subscriberId, SubscribeRequest request,
        CancellationToken ct)
    {
        var tierId = request.Tier ?? SubscriptionOptions.DefaultTier;
        if (!options.Value.Tiers.TryGetValue(tierId, out var tier))
            return (null, null, SubscribeError.InvalidTier);
        var normalized = request.Username.Trim().ToLowerInvariant();
        var creator = await db.Users.AsNoTracking().Where(u => u.NormalizedUsername == normalized && u.DeactivatedAt == null)
            .Select(u => new { u.Id, u.Username }).SingleOrDefaultAsync(ct);
        if (creator is null)
            return (null, null, SubscribeError.UserNotFound);
        if (creator.Id == subscriberId)
            return (null, null, SubscribeError.SelfSubscription);

        var now = clock.GetUtcNow().UtcDateTime;
        // A period that ended but was not yet swept by the expiry job no longer counts: expire it so the index lets a new row in.
        await db.Subscriptions
            .Where(s => s.SubscriberUserId == subscriberId && s.CreatorUserId == creator.Id && s.Status != SubscriptionStatus.Expired
                && s.CurrentPeriodEnd <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubscriptionStatus.Expired), ct);
        if (await db.Subscriptions.AnyAsync(s => s.SubscriberUserId == subscriberId && s.CreatorUserId == creator.Id
                && s.Status != SubscriptionStatus.Expired, ct))
            return (null, null, SubscribeError.AlreadySubscribed);
        if (!await ReceiptAcceptedAsync(request.Platform, request.Receipt, ct))
            return (null, null, SubscribeError.ReceiptInvalid);

        var subscription = new Subscription
        {
            SubscriberUserId = subscriberId,
            CreatorUserId = creator.Id,
            Tier = tierId,
            Price = tier.Price,
            Status = SubscriptionStatus.Active,
            StartedAt = now,
            CurrentPeriodEnd = now.AddMonths(tier.PeriodMonths),
            Platform = request.Platform,
            Receipt = request.Receipt,
        };
        db.Subscriptions.Add(subscription);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex)
        {
            // A parallel subscribe for the same pair won; the partial unique index decided.
            logger.LogInformation(ex, "Subscribe lost a uniqueness race for {Subscriber} → {Creator}", subscriberId, creator.Id);
            db.ChangeTracker.Clear();
            return (null, null, SubscribeError.AlreadySubscribed);
        }
        return (subscription, creator.Username, SubscribeError.None);
    }

    /// <summary>Cancels my subscription (idempotent); null when it is not mine.</summary>
    public async Task<Subscription?> CancelAsync(long subscriberId, long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Subscriptions.Where(s => s.Id == id && s.SubscriberUserId == subscriberId && s.Status == SubscriptionStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubscriptionStatus.Canceled).SetProperty(x => x.CanceledAt, now), ct);
        return await db.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.SubscriberUserId == subscriberId, ct);
    }

    /// <summary>
    /// Another tier period, paid by a verified receipt: the end moves on by the tier's months (from now when it already
    /// passed), and a canceled subscription becomes active again. An expired one cannot be renewed; subscribe anew.
    /// </summary>
    public async Task<(Subscription? Subscription, RenewError Error)> RenewAsync(long subscriberId, long id, RenewRequest request, CancellationToken ct)
    {
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id && s.SubscriberUserId == subscriberId, ct);
        if (subscription is null)
            return (null, RenewError.NotFound);
        var now = clock.GetUtcNow().UtcDateTime;
        if (!SubscriberCounts.GrantsAccess(subscription, now))
            return (subscription, RenewError.Expired);
        if (!await ReceiptAcceptedAsync(request.Platform ?? subscription.Platform, request.Receipt, ct))
            return (subscription, RenewError.ReceiptInvalid);
        var months = options.Value.Tiers.TryGetValue(subscription.Tier, out var tier) ? tier.PeriodMonths : 1;
        var from = subscription.CurrentPeriodEnd > now ? subscription.CurrentPeriodEnd : now;
        var previousEnd = subscription.CurrentPeriodEnd;
        var newEnd = from.AddMonths(months);
        // Compare-and-set on the period end, so two renewals with one receipt's worth of money cannot both extend.
        var changed = await db.Subscriptions
            .Where(s => s.Id == id && s.CurrentPeriodEnd == previousEnd && s.Status != SubscriptionStatus.Expired)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubscriptionStatus.Active).SetProperty(x => x.CanceledAt, (DateTime?)null)
                .SetProperty(x => x.CurrentPeriodEnd, newEnd)
                .SetProperty(x => x.Receipt, request.Receipt ?? subscription.Receipt), ct);
        db.ChangeTracker.Clear();
        var current = await db.Subscriptions.AsNoTracking().SingleAsync(s => s.Id == id, ct);
        return changed == 1 ? (current, RenewError.None) : (current, RenewError.Conflict);
    }

    /// <summary>Marks every subscription whose paid period ended by the instant as expired; returns how many.</summary>
    public Task<int> ExpireEndedAsync(DateTimeOffset at, CancellationToken ct)
    {
        var instant = at.UtcDateTime;
        return db.Subscriptions
            .Where(s => (s.Status == SubscriptionStatus.Active || s.Status == SubscriptionStatus.Canceled) && s.CurrentPeriodEnd <= instant)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubscriptionStatus.Expired), ct);
    }
}

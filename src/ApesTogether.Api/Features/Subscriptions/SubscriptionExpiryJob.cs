using ApesTogether.Api.Features.Scheduling;

namespace ApesTogether.Api.Features.Subscriptions;

/// <summary>
/// Every 15 minutes, all day: subscriptions whose paid period has ended (canceled, or active and not renewed) become expired.
/// Only the latest missed tick matters, and a start catches up once, now.
/// </summary>
public sealed class SubscriptionExpiryJob : IScheduledJob
{
    public static readonly TimeSpan Cadence = TimeSpan.FromMinutes(15);

    public string Name => "subscription-expiry";

    public bool RunsEveryMissedTick => false;

    public DateTimeOffset? NextTick(DateTimeOffset after)
    {
        var utc = after.ToUniversalTime();
        var floor = new DateTimeOffset(utc.Ticks - utc.Ticks % Cadence.Ticks, TimeSpan.Zero);
        return floor + Cadence;
    }

    public IEnumerable<DateTimeOffset> CatchUpTicks(DateTimeOffset now) => [now];

    public async Task<string> RunAsync(IServiceProvider services, DateTimeOffset tick, CancellationToken ct)
    {
        var expired = await services.GetRequiredService<SubscriptionService>().ExpireEndedAsync(tick, ct);
        return $"{expired} subscriptions expired";
    }
}

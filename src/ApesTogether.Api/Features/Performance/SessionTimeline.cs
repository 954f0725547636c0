using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.Performance;

/// <summary>
/// The regular-session time inside one interval. Flow weights are measured on this clock rather than wall time,
/// because a portfolio can only gain or lose while the market trades: a night, weekend or holiday is not "time
/// the money was at work".
/// </summary>
public sealed class SessionTimeline
{
    private readonly DateTimeOffset from;
    private readonly DateTimeOffset to;
    private readonly IReadOnlyList<TradingSession> sessions;

    public SessionTimeline(DateTimeOffset from, DateTimeOffset to, MarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (to < from)
            throw new ArgumentException($"The interval ends ({to:O}) before it starts ({from:O}).", nameof(to));

        this.from = from;
        this.to = to;
        // Day-by-day lookups rather than GetSessions, which scans the whole year: sub-periods are usually a day or less
        // and a leaderboard rebuild computes millions of them.
        var sessionList = new List<TradingSession>();
        for (var date = MarketCalendar.ExchangeDate(from); date <= MarketCalendar.ExchangeDate(to); date = date.AddDays(1))
        {
            if (calendar.GetSession(date) is { } session)
                sessionList.Add(session);
        }

        sessions = sessionList;
        Total = TimeIn(from);
    }

    /// <summary>Session time between the start and the end of the interval.</summary>
    public TimeSpan Total { get; }

    /// <summary>Session time from the instant (clamped into the interval) to the end of the interval.</summary>
    public TimeSpan RemainingAfter(DateTimeOffset instant) => TimeIn(instant < from ? from : instant);

    /// <summary>
    /// The fraction of the interval's session time still to come at the instant: 1 at or before the first open, 0 after
    /// the last close. With no session time at all every instant weighs 1, so money that arrived is fully counted in
    /// the denominator rather than dropped from it.
    /// </summary>
    public decimal WeightAt(DateTimeOffset instant) =>
        Total == TimeSpan.Zero ? 1m : (decimal)RemainingAfter(instant).Ticks / Total.Ticks;

    private TimeSpan TimeIn(DateTimeOffset start)
    {
        var total = TimeSpan.Zero;
        foreach (var session in sessions)
        {
            var open = session.Open > start ? session.Open : start;
            var close = session.Close < to ? session.Close : to;
            if (close > open)
                total += close - open;
        }

        return total;
    }
}

using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.Scheduling;

/// <summary>Tick arithmetic on the exchange calendar, shared by every session-driven job.</summary>
public static class SessionTicks
{
    /// <summary>
    /// The first instant strictly after <paramref name="after"/> among each session's ticks, where a session's ticks
    /// are produced by <paramref name="ticksOf"/> (ascending). Looks at most two weeks ahead.
    /// </summary>
    public static DateTimeOffset? Next(MarketCalendar calendar, DateTimeOffset after, Func<TradingSession, IEnumerable<DateTimeOffset>> ticksOf)
    {
        var date = MarketCalendar.ExchangeDate(after).AddDays(-1);
        for (var i = 0; i < 16; i++, date = date.AddDays(1))
        {
            if (calendar.GetSession(date) is not { } session)
            {
                continue;
            }
            foreach (var tick in ticksOf(session))
            {
                if (tick > after)
                {
                    return tick;
                }
            }
        }
        return null;
    }

    /// <summary>Every <paramref name="step"/> from the open up to and including the close.</summary>
    public static IEnumerable<DateTimeOffset> Every(TradingSession session, TimeSpan step, bool includeClose)
    {
        for (var t = session.Open; t < session.Close; t += step)
        {
            yield return t;
        }
        if (includeClose)
        {
            yield return session.Close;
        }
    }

    /// <summary>The latest session whose close is at or before the instant.</summary>
    public static TradingSession LatestClosed(MarketCalendar calendar, DateTimeOffset instant)
    {
        var date = MarketCalendar.ExchangeDate(instant);
        var today = calendar.GetSession(date);
        return today is not null && today.Close <= instant ? today : calendar.PreviousSession(date);
    }
}

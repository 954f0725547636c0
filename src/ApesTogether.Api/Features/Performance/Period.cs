using System.Diagnostics.CodeAnalysis;
using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.Performance;

public enum Period { OneDay, FiveDays, SevenDays, OneMonth, ThreeMonths, YearToDate, OneYear, Max }

/// <summary>The API spellings of <see cref="Period"/>: <c>1D</c> in query strings, <c>1d</c> as JSON keys.</summary>
public static class PeriodNames
{
    public static IReadOnlyList<Period> All { get; } = Enum.GetValues<Period>();

    /// <summary>Accepts <c>1D 5D 7D 1M 3M YTD 1Y MAX</c> in any case; anything else (including padding) is false.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Period period)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(text, candidate.ToApiKey(), StringComparison.OrdinalIgnoreCase))
            {
                period = candidate;
                return true;
            }
        }

        period = default;
        return false;
    }

    public static string ToApiKey(this Period period) => period switch
    {
        Period.OneDay => "1d",
        Period.FiveDays => "5d",
        Period.SevenDays => "7d",
        Period.OneMonth => "1m",
        Period.ThreeMonths => "3m",
        Period.YearToDate => "ytd",
        Period.OneYear => "1y",
        Period.Max => "max",
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
    };
}

/// <summary>Where each period starts, always at a real session close so that every window begins on a settled value.</summary>
public static class PeriodWindow
{
    /// <summary>
    /// Short periods chain the 15-minute intraday snapshots; longer ones chain daily closes, which is what the
    /// intraday retention leaves and what the risk figures are defined on.
    /// </summary>
    public static bool UsesIntraday(Period period) => period is Period.OneDay or Period.FiveDays or Period.SevenDays;

    /// <summary>
    /// The instant the period starts at <paramref name="now"/>. 1D and 5D count sessions back from the latest session
    /// (today's once it has opened, else the previous one), so 1D before the open still shows the last full session's
    /// move. 7D takes the last close at or before the same wall-clock time a week earlier. 1M, 3M and 1Y take the last
    /// close on or before the same calendar date 1, 3 or 12 months back; month arithmetic clamps, so March 31 − 1M is
    /// the end of February. YTD starts at the previous year's last close; Max at <see cref="DateTimeOffset.MinValue"/>.
    /// </summary>
    public static DateTimeOffset Start(Period period, DateTimeOffset now, MarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var today = MarketCalendar.ExchangeDate(now);
        return period switch
        {
            Period.OneDay => SessionsBefore(LatestSession(now, calendar), 1, calendar).Close,
            Period.FiveDays => SessionsBefore(LatestSession(now, calendar), 5, calendar).Close,
            Period.SevenDays => LastCloseAWeekBefore(now, calendar),
            Period.OneMonth => LastCloseOnOrBefore(today.AddMonths(-1), calendar),
            Period.ThreeMonths => LastCloseOnOrBefore(today.AddMonths(-3), calendar),
            Period.OneYear => LastCloseOnOrBefore(today.AddMonths(-12), calendar),
            Period.YearToDate => calendar.PreviousSession(new DateOnly(today.Year, 1, 1)).Close,
            Period.Max => DateTimeOffset.MinValue,
            _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
        };
    }

    /// <summary>Today's session if it has opened by <paramref name="now"/>, else the previous one.</summary>
    public static TradingSession LatestSession(DateTimeOffset now, MarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var today = MarketCalendar.ExchangeDate(now);
        return calendar.GetSession(today) is { } session && session.Open <= now
            ? session
            : calendar.PreviousSession(today);
    }

    /// <summary>
    /// The last close at or before the same exchange wall-clock time seven days earlier. Wall-clock rather than
    /// 168 hours, so that in the week after a daylight-saving change 16:30 today still reaches last week's 16:00 close.
    /// </summary>
    private static DateTimeOffset LastCloseAWeekBefore(DateTimeOffset now, MarketCalendar calendar)
    {
        var eastern = TimeZoneInfo.ConvertTime(now, MarketCalendar.Eastern).DateTime;
        var date = DateOnly.FromDateTime(eastern).AddDays(-7);
        var timeOfDay = TimeOnly.FromDateTime(eastern);
        // Compared as wall-clock times: turning the target back into an instant could land in the spring-forward gap.
        return calendar.GetSession(date) is { } session && CloseTime(session) <= timeOfDay
            ? session.Close
            : calendar.PreviousSession(date).Close;
    }

    private static TimeOnly CloseTime(TradingSession session) =>
        session.EarlyClose ? MarketCalendar.EarlyCloseTime : MarketCalendar.RegularCloseTime;

    private static DateTimeOffset LastCloseOnOrBefore(DateOnly date, MarketCalendar calendar) =>
        (calendar.GetSession(date) ?? calendar.PreviousSession(date)).Close;

    private static TradingSession SessionsBefore(TradingSession session, int count, MarketCalendar calendar)
    {
        for (var i = 0; i < count; i++)
            session = calendar.PreviousSession(session.Date);
        return session;
    }
}

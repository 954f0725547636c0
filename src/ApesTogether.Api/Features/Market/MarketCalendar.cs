using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Market;

/// <summary>One regular NYSE session; instants are UTC offsets of the real open and close.</summary>
public sealed record TradingSession(DateOnly Date, DateTimeOffset Open, DateTimeOffset Close, bool EarlyClose);

public sealed record Holiday(DateOnly Date, string Name);

public enum MarketSessionKind { PreMarket, Regular, AfterHours, Closed }

/// <summary>The market as seen at one instant.</summary>
public sealed record MarketState(
    DateTimeOffset Now,
    bool IsOpen,
    MarketSessionKind Session,
    TradingSession? CurrentSession,
    DateTimeOffset NextOpen,
    DateTimeOffset NextClose,
    Holiday? Holiday);

public sealed class MarketCalendarOptions
{
    public const string Section = "Market";

    /// <summary>Closures not given by rule (national days of mourning, emergencies), added to the built-in list.</summary>
    public List<Holiday> AdHocClosures { get; set; } = [];
}

/// <summary>
/// NYSE regular-session calendar computed by rule for any year, in America/New_York with DST from the tz database.
/// </summary>
/// <remarks>
/// Registered as a singleton and hit on every request, so each year is computed once and cached;
/// the cached data is immutable, which keeps concurrent readers safe without locks.
/// </remarks>
public sealed class MarketCalendar
{
    public static readonly TimeOnly PreMarketOpenTime = new(4, 0);
    public static readonly TimeOnly RegularOpenTime = new(9, 30);
    public static readonly TimeOnly RegularCloseTime = new(16, 0);
    public static readonly TimeOnly EarlyCloseTime = new(13, 0);
    public static readonly TimeOnly AfterHoursCloseTime = new(20, 0);

    // The longest real run is 6 days (9/11: Tuesday to the following Sunday); the slack covers a
    // configured multi-day emergency while still failing fast if the rules ever produce no sessions.
    private const int MaxConsecutiveClosedDays = 14;

    private static readonly Holiday[] BuiltInAdHocClosures =
    [
        new(new DateOnly(2018, 12, 5), "National Day of Mourning for George H. W. Bush"),
        new(new DateOnly(2025, 1, 9), "National Day of Mourning for Jimmy Carter"),
    ];

    private readonly FrozenDictionary<DateOnly, Holiday> adHocClosures;
    private readonly ConcurrentDictionary<int, YearCalendar> years = new();

    public MarketCalendar(IOptions<MarketCalendarOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var closures = new Dictionary<DateOnly, Holiday>();
        // Configuration goes first so an operator can rename a built-in closure.
        foreach (var closure in (options.Value.AdHocClosures ?? []).Concat(BuiltInAdHocClosures))
        {
            if (closure is not null && !string.IsNullOrWhiteSpace(closure.Name))
                closures.TryAdd(closure.Date, closure);
        }

        adHocClosures = closures.ToFrozenDictionary();
    }

    public static TimeZoneInfo Eastern { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>The exchange date (America/New_York calendar date) of an instant.</summary>
    public static DateOnly ExchangeDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Eastern).DateTime);

    /// <summary>The UTC instant of an Eastern wall-clock time on an exchange date.</summary>
    public static DateTimeOffset EasternToUtc(DateOnly date, TimeOnly time)
    {
        // ConvertTimeToUtc throws for wall-clock times skipped by spring-forward, which is what we
        // want: none of the exchange's times fall in the 02:00–03:00 gap, so hitting it is a bug.
        var utc = TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(time, DateTimeKind.Unspecified), Eastern);
        return new DateTimeOffset(utc, TimeSpan.Zero);
    }

    /// <summary>Easter Sunday in the Gregorian calendar (Anonymous Gregorian / Meeus algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    public Holiday? GetHoliday(DateOnly date) => Year(date.Year).GetHoliday(date);

    public IReadOnlyList<Holiday> GetHolidays(DateOnly from, DateOnly to)
    {
        var result = new List<Holiday>();
        for (var year = from.Year; year <= to.Year; year++)
        {
            foreach (var holiday in Year(year).Holidays)
            {
                if (holiday.Date >= from && holiday.Date <= to)
                    result.Add(holiday);
            }
        }

        return result;
    }

    public bool IsTradingDay(DateOnly date) => GetSession(date) is not null;

    /// <summary>The session on that date, or null on weekends, holidays and closures.</summary>
    public TradingSession? GetSession(DateOnly date) => Year(date.Year).GetSession(date);

    public IReadOnlyList<TradingSession> GetSessions(DateOnly from, DateOnly to)
    {
        var result = new List<TradingSession>();
        for (var year = from.Year; year <= to.Year; year++)
        {
            foreach (var session in Year(year).Sessions)
            {
                if (session.Date >= from && session.Date <= to)
                    result.Add(session);
            }
        }

        return result;
    }

    /// <summary>The first session whose open is strictly after the instant.</summary>
    public TradingSession NextSessionOpeningAfter(DateTimeOffset instant)
    {
        var date = ExchangeDate(instant);
        if (GetSession(date) is { } today && today.Open > instant)
            return today;

        for (var i = 1; i <= MaxConsecutiveClosedDays + 1; i++)
        {
            if (GetSession(date.AddDays(i)) is { } session)
                return session;
        }

        throw new InvalidOperationException(
            $"No trading session within {MaxConsecutiveClosedDays} days after {date:yyyy-MM-dd}; check the ad-hoc closures.");
    }

    /// <summary>The latest session on a date strictly before the given date.</summary>
    public TradingSession PreviousSession(DateOnly date)
    {
        for (var i = 1; i <= MaxConsecutiveClosedDays + 1; i++)
        {
            if (GetSession(date.AddDays(-i)) is { } session)
                return session;
        }

        throw new InvalidOperationException(
            $"No trading session within {MaxConsecutiveClosedDays} days before {date:yyyy-MM-dd}; check the ad-hoc closures.");
    }

    public MarketState GetState(DateTimeOffset instant)
    {
        var date = ExchangeDate(instant);
        var current = GetSession(date);
        var next = NextSessionOpeningAfter(instant);
        var isOpen = current is not null && current.Open <= instant && instant < current.Close;

        return new MarketState(
            Now: instant,
            IsOpen: isOpen,
            Session: SessionKind(current, instant, isOpen),
            CurrentSession: current,
            NextOpen: next.Open,
            NextClose: current is not null && instant < current.Close ? current.Close : next.Close,
            Holiday: GetHoliday(date));
    }

    private static MarketSessionKind SessionKind(TradingSession? current, DateTimeOffset instant, bool isOpen)
    {
        if (current is null)
            return MarketSessionKind.Closed;
        if (isOpen)
            return MarketSessionKind.Regular;
        if (instant < current.Open)
        {
            return instant >= EasternToUtc(current.Date, PreMarketOpenTime)
                ? MarketSessionKind.PreMarket
                : MarketSessionKind.Closed;
        }

        return instant < EasternToUtc(current.Date, AfterHoursCloseTime)
            ? MarketSessionKind.AfterHours
            : MarketSessionKind.Closed;
    }

    // GetOrAdd may build a year twice under a race; both results are identical, so that is harmless.
    private YearCalendar Year(int year) => years.GetOrAdd(year, static (y, closures) => YearCalendar.Build(y, closures), adHocClosures);

    /// <summary>Everything about one calendar year, computed once and never mutated.</summary>
    private sealed class YearCalendar
    {
        private readonly FrozenDictionary<DateOnly, Holiday> holidaysByDate;
        private readonly TradingSession?[] sessionsByDay;
        private readonly int firstDayNumber;

        private YearCalendar(int year, Holiday[] holidays, TradingSession?[] sessionsByDay)
        {
            Holidays = holidays;
            holidaysByDate = holidays.ToFrozenDictionary(h => h.Date);
            this.sessionsByDay = sessionsByDay;
            Sessions = [.. sessionsByDay.OfType<TradingSession>()];
            firstDayNumber = new DateOnly(year, 1, 1).DayNumber;
        }

        /// <summary>Sorted by date.</summary>
        public Holiday[] Holidays { get; }

        /// <summary>Sorted by date.</summary>
        public TradingSession[] Sessions { get; }

        public Holiday? GetHoliday(DateOnly date) => holidaysByDate.GetValueOrDefault(date);

        public TradingSession? GetSession(DateOnly date) => sessionsByDay[date.DayNumber - firstDayNumber];

        public static YearCalendar Build(int year, FrozenDictionary<DateOnly, Holiday> adHocClosures)
        {
            var byDate = new Dictionary<DateOnly, Holiday>();
            foreach (var holiday in RuleHolidays(year))
                byDate.TryAdd(holiday.Date, holiday);
            // A rule holiday already closes the day, so its proper name wins over an ad-hoc one.
            foreach (var closure in adHocClosures.Values)
            {
                if (closure.Date.Year == year)
                    byDate.TryAdd(closure.Date, closure);
            }

            var earlyCloses = new HashSet<DateOnly>
            {
                new(year, 7, 3),
                NthWeekday(year, 11, DayOfWeek.Thursday, 4).AddDays(1),
                new(year, 12, 24),
            };

            var first = new DateOnly(year, 1, 1);
            var sessions = new TradingSession?[DateTime.IsLeapYear(year) ? 366 : 365];
            for (var i = 0; i < sessions.Length; i++)
            {
                var date = first.AddDays(i);
                if (IsWeekend(date) || byDate.ContainsKey(date))
                    continue;

                var early = earlyCloses.Contains(date);
                sessions[i] = new TradingSession(
                    date,
                    EasternToUtc(date, RegularOpenTime),
                    EasternToUtc(date, early ? EarlyCloseTime : RegularCloseTime),
                    early);
            }

            return new YearCalendar(year, [.. byDate.Values.OrderBy(h => h.Date)], sessions);
        }

        private static IEnumerable<Holiday> RuleHolidays(int year)
        {
            // NYSE Rule 7.2 skips the Friday before a Saturday holiday when it ends an accounting period,
            // and Dec 31 always ends one, so a Saturday New Year's Day is simply not observed.
            var newYear = new DateOnly(year, 1, 1);
            if (newYear.DayOfWeek == DayOfWeek.Sunday)
                yield return new Holiday(newYear.AddDays(1), "New Year's Day");
            else if (newYear.DayOfWeek != DayOfWeek.Saturday)
                yield return new Holiday(newYear, "New Year's Day");

            if (year >= 1998)
                yield return new Holiday(NthWeekday(year, 1, DayOfWeek.Monday, 3), "Martin Luther King Jr. Day");
            yield return new Holiday(NthWeekday(year, 2, DayOfWeek.Monday, 3), "Washington's Birthday");
            yield return new Holiday(EasterSunday(year).AddDays(-2), "Good Friday");
            yield return new Holiday(LastWeekday(year, 5, DayOfWeek.Monday), "Memorial Day");
            if (year >= 2022)
                yield return new Holiday(Observed(new DateOnly(year, 6, 19)), "Juneteenth National Independence Day");
            yield return new Holiday(Observed(new DateOnly(year, 7, 4)), "Independence Day");
            yield return new Holiday(NthWeekday(year, 9, DayOfWeek.Monday, 1), "Labor Day");
            yield return new Holiday(NthWeekday(year, 11, DayOfWeek.Thursday, 4), "Thanksgiving Day");
            yield return new Holiday(Observed(new DateOnly(year, 12, 25)), "Christmas Day");
        }

        private static DateOnly Observed(DateOnly date) => date.DayOfWeek switch
        {
            DayOfWeek.Saturday => date.AddDays(-1),
            DayOfWeek.Sunday => date.AddDays(1),
            _ => date,
        };

        private static DateOnly NthWeekday(int year, int month, DayOfWeek day, int n)
        {
            var first = new DateOnly(year, month, 1);
            var offset = ((int)day - (int)first.DayOfWeek + 7) % 7;
            return first.AddDays(offset + (7 * (n - 1)));
        }

        private static DateOnly LastWeekday(int year, int month, DayOfWeek day)
        {
            var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
            var offset = ((int)last.DayOfWeek - (int)day + 7) % 7;
            return last.AddDays(-offset);
        }

        private static bool IsWeekend(DateOnly date) =>
            date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
    }
}

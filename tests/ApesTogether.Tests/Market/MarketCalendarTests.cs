using System.Globalization;
using ApesTogether.Api.Features.Market;
using Microsoft.Extensions.Options;

namespace ApesTogether.Tests.Market;

public sealed class MarketCalendarTests
{
    private readonly MarketCalendar calendar = Create();

    public static TheoryData<int, string[]> HolidaysByYear => new()
    {
        // 2025–2027 as published by NYSE.
        {
            2025,
            [
                "2025-01-01 New Year's Day",
                "2025-01-09 National Day of Mourning for Jimmy Carter",
                "2025-01-20 Martin Luther King Jr. Day",
                "2025-02-17 Washington's Birthday",
                "2025-04-18 Good Friday",
                "2025-05-26 Memorial Day",
                "2025-06-19 Juneteenth National Independence Day",
                "2025-07-04 Independence Day",
                "2025-09-01 Labor Day",
                "2025-11-27 Thanksgiving Day",
                "2025-12-25 Christmas Day",
            ]
        },
        {
            2026,
            [
                "2026-01-01 New Year's Day",
                "2026-01-19 Martin Luther King Jr. Day",
                "2026-02-16 Washington's Birthday",
                "2026-04-03 Good Friday",
                "2026-05-25 Memorial Day",
                "2026-06-19 Juneteenth National Independence Day",
                "2026-07-03 Independence Day",
                "2026-09-07 Labor Day",
                "2026-11-26 Thanksgiving Day",
                "2026-12-25 Christmas Day",
            ]
        },
        {
            2027,
            [
                "2027-01-01 New Year's Day",
                "2027-01-18 Martin Luther King Jr. Day",
                "2027-02-15 Washington's Birthday",
                "2027-03-26 Good Friday",
                "2027-05-31 Memorial Day",
                "2027-06-18 Juneteenth National Independence Day",
                "2027-07-05 Independence Day",
                "2027-09-06 Labor Day",
                "2027-11-25 Thanksgiving Day",
                "2027-12-24 Christmas Day",
            ]
        },
        {
            2024,
            [
                "2024-01-01 New Year's Day",
                "2024-01-15 Martin Luther King Jr. Day",
                "2024-02-19 Washington's Birthday",
                "2024-03-29 Good Friday",
                "2024-05-27 Memorial Day",
                "2024-06-19 Juneteenth National Independence Day",
                "2024-07-04 Independence Day",
                "2024-09-02 Labor Day",
                "2024-11-28 Thanksgiving Day",
                "2024-12-25 Christmas Day",
            ]
        },
        // Saturday New Year's Day: not observed at all.
        {
            2028,
            [
                "2028-01-17 Martin Luther King Jr. Day",
                "2028-02-21 Washington's Birthday",
                "2028-04-14 Good Friday",
                "2028-05-29 Memorial Day",
                "2028-06-19 Juneteenth National Independence Day",
                "2028-07-04 Independence Day",
                "2028-09-04 Labor Day",
                "2028-11-23 Thanksgiving Day",
                "2028-12-25 Christmas Day",
            ]
        },
        // Before Juneteenth; Saturday New Year's Day.
        {
            2000,
            [
                "2000-01-17 Martin Luther King Jr. Day",
                "2000-02-21 Washington's Birthday",
                "2000-04-21 Good Friday",
                "2000-05-29 Memorial Day",
                "2000-07-04 Independence Day",
                "2000-09-04 Labor Day",
                "2000-11-23 Thanksgiving Day",
                "2000-12-25 Christmas Day",
            ]
        },
        // Sunday Juneteenth and Christmas move to Monday.
        {
            2033,
            [
                "2033-01-17 Martin Luther King Jr. Day",
                "2033-02-21 Washington's Birthday",
                "2033-04-15 Good Friday",
                "2033-05-30 Memorial Day",
                "2033-06-20 Juneteenth National Independence Day",
                "2033-07-04 Independence Day",
                "2033-09-05 Labor Day",
                "2033-11-24 Thanksgiving Day",
                "2033-12-26 Christmas Day",
            ]
        },
        // Sunday New Year's Day moves to Monday.
        {
            2040,
            [
                "2040-01-02 New Year's Day",
                "2040-01-16 Martin Luther King Jr. Day",
                "2040-02-20 Washington's Birthday",
                "2040-03-30 Good Friday",
                "2040-05-28 Memorial Day",
                "2040-06-19 Juneteenth National Independence Day",
                "2040-07-04 Independence Day",
                "2040-09-03 Labor Day",
                "2040-11-22 Thanksgiving Day",
                "2040-12-25 Christmas Day",
            ]
        },
        // Before MLK Day was an exchange holiday.
        {
            1997,
            [
                "1997-01-01 New Year's Day",
                "1997-02-17 Washington's Birthday",
                "1997-03-28 Good Friday",
                "1997-05-26 Memorial Day",
                "1997-07-04 Independence Day",
                "1997-09-01 Labor Day",
                "1997-11-27 Thanksgiving Day",
                "1997-12-25 Christmas Day",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(HolidaysByYear))]
    public void Holidays_of_a_year_match_the_published_rules(int year, string[] expected)
    {
        var holidays = calendar.GetHolidays(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));

        Assert.Equal(expected, holidays.Select(Describe));
    }

    [Theory]
    [InlineData(1818, "1818-03-22")]
    [InlineData(1961, "1961-04-02")]
    [InlineData(2000, "2000-04-23")]
    [InlineData(2008, "2008-03-23")]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2024, "2024-03-31")]
    [InlineData(2025, "2025-04-20")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2027, "2027-03-28")]
    [InlineData(2028, "2028-04-16")]
    [InlineData(2038, "2038-04-25")]
    [InlineData(2040, "2040-04-01")]
    [InlineData(2285, "2285-03-22")]
    public void Easter_Sunday_follows_the_Gregorian_computus(int year, string expected)
    {
        var easter = MarketCalendar.EasterSunday(year);

        Assert.Equal(D(expected), easter);
    }

    [Theory]
    [InlineData("2024-03-29")]
    [InlineData("2025-04-18")]
    [InlineData("2026-04-03")]
    [InlineData("2027-03-26")]
    [InlineData("2028-04-14")]
    public void Good_Friday_is_closed(string date)
    {
        var session = calendar.GetSession(D(date));
        var holiday = calendar.GetHoliday(D(date));

        Assert.Null(session);
        Assert.Equal("Good Friday", holiday?.Name);
    }

    [Theory]
    [InlineData("2021-12-31")]
    [InlineData("2027-12-31")]
    [InlineData("2032-12-31")]
    public void Friday_before_a_Saturday_New_Years_Day_is_a_trading_day(string date)
    {
        var session = calendar.GetSession(D(date));

        Assert.NotNull(session);
        Assert.False(session.EarlyClose);
        Assert.Null(calendar.GetHoliday(D(date)));
    }

    [Fact]
    public void Saturday_New_Years_Day_2022_adds_no_holiday_around_the_year_end()
    {
        var holidays = calendar.GetHolidays(D("2021-12-20"), D("2022-01-10"));

        Assert.Equal(["2021-12-24 Christmas Day"], holidays.Select(Describe));
    }

    [Theory]
    [InlineData("2021-06-18", true)]
    [InlineData("2022-06-20", false)]
    [InlineData("2023-06-19", false)]
    [InlineData("2027-06-18", false)]
    public void Juneteenth_is_a_holiday_from_2022_on(string date, bool trading)
    {
        var isTradingDay = calendar.IsTradingDay(D(date));

        Assert.Equal(trading, isTradingDay);
    }

    [Theory]
    [InlineData("1997-01-20", true)]
    [InlineData("1998-01-19", false)]
    public void Martin_Luther_King_Jr_Day_is_a_holiday_from_1998_on(string date, bool trading)
    {
        var isTradingDay = calendar.IsTradingDay(D(date));

        Assert.Equal(trading, isTradingDay);
    }

    [Theory]
    [InlineData("2026-03-07")]
    [InlineData("2026-03-08")]
    public void Weekends_are_closed_without_being_holidays(string date)
    {
        var session = calendar.GetSession(D(date));

        Assert.Null(session);
        Assert.False(calendar.IsTradingDay(D(date)));
        Assert.Null(calendar.GetHoliday(D(date)));
    }

    [Theory]
    [InlineData(2018, 251)]
    [InlineData(2021, 252)]
    [InlineData(2022, 251)]
    [InlineData(2024, 252)]
    [InlineData(2025, 250)]
    [InlineData(2026, 251)]
    [InlineData(2027, 251)]
    [InlineData(2028, 251)]
    public void Year_has_the_expected_number_of_sessions(int year, int expected)
    {
        var sessions = calendar.GetSessions(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));

        Assert.Equal(expected, sessions.Count);
        Assert.Equal(sessions.OrderBy(s => s.Date), sessions);
    }

    [Fact]
    public void Sessions_range_is_inclusive_and_spans_years()
    {
        var sessions = calendar.GetSessions(D("2025-12-24"), D("2026-01-02"));

        Assert.Equal(
            [D("2025-12-24"), D("2025-12-26"), D("2025-12-29"), D("2025-12-30"), D("2025-12-31"), D("2026-01-02")],
            sessions.Select(s => s.Date));
    }

    [Fact]
    public void Holidays_range_is_inclusive_and_spans_years()
    {
        var holidays = calendar.GetHolidays(D("2025-12-25"), D("2026-01-01"));

        Assert.Equal(["2025-12-25 Christmas Day", "2026-01-01 New Year's Day"], holidays.Select(Describe));
    }

    [Fact]
    public void Reversed_ranges_are_empty()
    {
        var sessions = calendar.GetSessions(D("2026-03-10"), D("2026-03-01"));
        var holidays = calendar.GetHolidays(D("2026-12-31"), D("2026-01-01"));

        Assert.Empty(sessions);
        Assert.Empty(holidays);
    }

    [Theory]
    [InlineData("2024-07-03", "2024-07-03T17:00:00Z")]
    [InlineData("2024-11-29", "2024-11-29T18:00:00Z")]
    [InlineData("2024-12-24", "2024-12-24T18:00:00Z")]
    [InlineData("2025-07-03", "2025-07-03T17:00:00Z")]
    [InlineData("2025-11-28", "2025-11-28T18:00:00Z")]
    [InlineData("2025-12-24", "2025-12-24T18:00:00Z")]
    [InlineData("2026-11-27", "2026-11-27T18:00:00Z")]
    [InlineData("2026-12-24", "2026-12-24T18:00:00Z")]
    [InlineData("2027-11-26", "2027-11-26T18:00:00Z")]
    [InlineData("2028-07-03", "2028-07-03T17:00:00Z")]
    public void Early_close_days_close_at_one_pm_Eastern(string date, string close)
    {
        var session = calendar.GetSession(D(date));

        Assert.NotNull(session);
        Assert.True(session.EarlyClose);
        Assert.Equal(T(close), session.Close);
    }

    [Theory]
    [InlineData("2026-07-02")]
    [InlineData("2027-07-02")]
    [InlineData("2026-12-23")]
    [InlineData("2026-11-25")]
    public void Days_next_to_early_closes_have_a_full_session(string date)
    {
        var session = calendar.GetSession(D(date));

        Assert.NotNull(session);
        Assert.False(session.EarlyClose);
        Assert.Equal(new TimeOnly(16, 0), EasternTimeOf(session.Close));
    }

    [Theory]
    [InlineData("2026-07-03")]
    [InlineData("2027-12-24")]
    [InlineData("2021-12-24")]
    public void Observed_holiday_replaces_the_early_close(string date)
    {
        var session = calendar.GetSession(D(date));

        Assert.Null(session);
        Assert.NotNull(calendar.GetHoliday(D(date)));
    }

    [Theory]
    // Spring forward on 2026-03-08: EST the Friday before, EDT the Monday after.
    [InlineData("2026-03-06", "2026-03-06T14:30:00Z", "2026-03-06T21:00:00Z")]
    [InlineData("2026-03-09", "2026-03-09T13:30:00Z", "2026-03-09T20:00:00Z")]
    // Fall back on 2026-11-01: EDT the Friday before, EST the Monday after.
    [InlineData("2026-10-30", "2026-10-30T13:30:00Z", "2026-10-30T20:00:00Z")]
    [InlineData("2026-11-02", "2026-11-02T14:30:00Z", "2026-11-02T21:00:00Z")]
    [InlineData("2025-03-07", "2025-03-07T14:30:00Z", "2025-03-07T21:00:00Z")]
    [InlineData("2025-03-10", "2025-03-10T13:30:00Z", "2025-03-10T20:00:00Z")]
    [InlineData("2025-10-31", "2025-10-31T13:30:00Z", "2025-10-31T20:00:00Z")]
    [InlineData("2025-11-03", "2025-11-03T14:30:00Z", "2025-11-03T21:00:00Z")]
    [InlineData("2040-03-12", "2040-03-12T13:30:00Z", "2040-03-12T20:00:00Z")]
    public void Session_times_follow_Eastern_daylight_saving(string date, string open, string close)
    {
        var session = calendar.GetSession(D(date));

        Assert.NotNull(session);
        Assert.Equal(T(open), session.Open);
        Assert.Equal(T(close), session.Close);
        Assert.Equal(TimeSpan.Zero, session.Open.Offset);
        Assert.Equal(TimeSpan.Zero, session.Close.Offset);
    }

    [Theory]
    [InlineData("2026-03-10T03:59:59Z", "2026-03-09")]
    [InlineData("2026-03-10T04:00:00Z", "2026-03-10")]
    [InlineData("2026-01-15T04:59:59Z", "2026-01-14")]
    [InlineData("2026-01-15T05:00:00Z", "2026-01-15")]
    [InlineData("2026-01-01T02:00:00+01:00", "2025-12-31")]
    public void Exchange_date_is_the_New_York_calendar_date(string instant, string expected)
    {
        var date = MarketCalendar.ExchangeDate(T(instant));

        Assert.Equal(D(expected), date);
    }

    [Theory]
    // Tuesday 2026-03-10, EDT: pre-market 08:00Z, open 13:30Z, close 20:00Z, after-hours until 00:00Z.
    [InlineData("2026-03-10T07:59:59Z", false, MarketSessionKind.Closed, "2026-03-10T13:30:00Z", "2026-03-10T20:00:00Z")]
    [InlineData("2026-03-10T08:00:00Z", false, MarketSessionKind.PreMarket, "2026-03-10T13:30:00Z", "2026-03-10T20:00:00Z")]
    [InlineData("2026-03-10T13:29:59Z", false, MarketSessionKind.PreMarket, "2026-03-10T13:30:00Z", "2026-03-10T20:00:00Z")]
    [InlineData("2026-03-10T13:30:00Z", true, MarketSessionKind.Regular, "2026-03-11T13:30:00Z", "2026-03-10T20:00:00Z")]
    [InlineData("2026-03-10T17:00:00Z", true, MarketSessionKind.Regular, "2026-03-11T13:30:00Z", "2026-03-10T20:00:00Z")]
    [InlineData("2026-03-10T19:59:59Z", true, MarketSessionKind.Regular, "2026-03-11T13:30:00Z", "2026-03-10T20:00:00Z")]
    [InlineData("2026-03-10T20:00:00Z", false, MarketSessionKind.AfterHours, "2026-03-11T13:30:00Z", "2026-03-11T20:00:00Z")]
    [InlineData("2026-03-10T23:59:59Z", false, MarketSessionKind.AfterHours, "2026-03-11T13:30:00Z", "2026-03-11T20:00:00Z")]
    [InlineData("2026-03-11T00:00:00Z", false, MarketSessionKind.Closed, "2026-03-11T13:30:00Z", "2026-03-11T20:00:00Z")]
    // Friday 2026-01-16, EST, before the MLK Day long weekend.
    [InlineData("2026-01-16T14:30:00Z", true, MarketSessionKind.Regular, "2026-01-20T14:30:00Z", "2026-01-16T21:00:00Z")]
    [InlineData("2026-01-16T23:00:00Z", false, MarketSessionKind.AfterHours, "2026-01-20T14:30:00Z", "2026-01-20T21:00:00Z")]
    [InlineData("2026-01-17T02:00:00Z", false, MarketSessionKind.Closed, "2026-01-20T14:30:00Z", "2026-01-20T21:00:00Z")]
    // Friday evening before an ordinary weekend.
    [InlineData("2026-03-14T01:00:00Z", false, MarketSessionKind.Closed, "2026-03-16T13:30:00Z", "2026-03-16T20:00:00Z")]
    // Early close on the day after Thanksgiving 2025 (EST): closes 18:00Z, after-hours from then.
    [InlineData("2025-11-28T17:59:59Z", true, MarketSessionKind.Regular, "2025-12-01T14:30:00Z", "2025-11-28T18:00:00Z")]
    [InlineData("2025-11-28T18:00:00Z", false, MarketSessionKind.AfterHours, "2025-12-01T14:30:00Z", "2025-12-01T21:00:00Z")]
    [InlineData("2025-11-28T18:30:00Z", false, MarketSessionKind.AfterHours, "2025-12-01T14:30:00Z", "2025-12-01T21:00:00Z")]
    // Early close on Christmas Eve 2025; Christmas is closed, Friday the 26th trades.
    [InlineData("2025-12-24T18:00:00Z", false, MarketSessionKind.AfterHours, "2025-12-26T14:30:00Z", "2025-12-26T21:00:00Z")]
    // The Sundays of the 2026 DST switches.
    [InlineData("2026-03-08T12:00:00Z", false, MarketSessionKind.Closed, "2026-03-09T13:30:00Z", "2026-03-09T20:00:00Z")]
    [InlineData("2026-11-01T20:00:00Z", false, MarketSessionKind.Closed, "2026-11-02T14:30:00Z", "2026-11-02T21:00:00Z")]
    public void State_reflects_the_session_around_an_instant(
        string instant, bool isOpen, MarketSessionKind kind, string nextOpen, string nextClose)
    {
        var state = calendar.GetState(T(instant));

        Assert.Equal(T(instant), state.Now);
        Assert.Equal(isOpen, state.IsOpen);
        Assert.Equal(kind, state.Session);
        Assert.Equal(T(nextOpen), state.NextOpen);
        Assert.Equal(T(nextClose), state.NextClose);
        Assert.Null(state.Holiday);
    }

    [Fact]
    public void State_after_hours_keeps_the_days_session_as_current()
    {
        var state = calendar.GetState(T("2026-03-11T00:00:00Z"));

        Assert.Equal(D("2026-03-10"), state.CurrentSession?.Date);
    }

    [Fact]
    public void State_on_a_weekend_has_no_current_session()
    {
        var state = calendar.GetState(T("2026-03-14T15:00:00Z"));

        Assert.False(state.IsOpen);
        Assert.Equal(MarketSessionKind.Closed, state.Session);
        Assert.Null(state.CurrentSession);
        Assert.Null(state.Holiday);
        Assert.Equal(T("2026-03-16T13:30:00Z"), state.NextOpen);
    }

    [Theory]
    [InlineData("2026-04-03T15:00:00Z", "Good Friday", "2026-04-06T13:30:00Z", "2026-04-06T20:00:00Z")]
    [InlineData("2025-11-27T15:00:00Z", "Thanksgiving Day", "2025-11-28T14:30:00Z", "2025-11-28T18:00:00Z")]
    [InlineData("2026-07-03T14:00:00Z", "Independence Day", "2026-07-06T13:30:00Z", "2026-07-06T20:00:00Z")]
    [InlineData("2025-01-09T16:00:00Z", "National Day of Mourning for Jimmy Carter", "2025-01-10T14:30:00Z", "2025-01-10T21:00:00Z")]
    [InlineData("2026-01-01T09:00:00Z", "New Year's Day", "2026-01-02T14:30:00Z", "2026-01-02T21:00:00Z")]
    public void State_on_a_holiday_names_it_and_points_past_it(
        string instant, string holiday, string nextOpen, string nextClose)
    {
        var state = calendar.GetState(T(instant));

        Assert.False(state.IsOpen);
        Assert.Equal(MarketSessionKind.Closed, state.Session);
        Assert.Null(state.CurrentSession);
        Assert.Equal(holiday, state.Holiday?.Name);
        Assert.Equal(T(nextOpen), state.NextOpen);
        Assert.Equal(T(nextClose), state.NextClose);
    }

    [Theory]
    [InlineData("2026-04-02T13:29:59Z", "2026-04-02")]
    [InlineData("2026-04-02T13:30:00Z", "2026-04-06")]
    [InlineData("2026-04-02T20:00:00Z", "2026-04-06")]
    [InlineData("2025-12-31T21:00:00Z", "2026-01-02")]
    [InlineData("2025-01-08T21:00:00Z", "2025-01-10")]
    [InlineData("2026-07-02T20:00:00Z", "2026-07-06")]
    [InlineData("2026-11-25T21:00:00Z", "2026-11-27")]
    [InlineData("2021-12-30T21:00:00Z", "2021-12-31")]
    [InlineData("2027-12-23T21:00:00Z", "2027-12-27")]
    [InlineData("2018-12-04T21:00:00Z", "2018-12-06")]
    public void Next_session_opening_after_skips_weekends_and_holidays(string instant, string expected)
    {
        var session = calendar.NextSessionOpeningAfter(T(instant));

        Assert.Equal(D(expected), session.Date);
        Assert.True(session.Open > T(instant));
    }

    [Theory]
    [InlineData("2026-03-10", "2026-03-09")]
    [InlineData("2026-03-09", "2026-03-06")]
    [InlineData("2026-04-06", "2026-04-02")]
    [InlineData("2026-01-02", "2025-12-31")]
    [InlineData("2025-12-26", "2025-12-24")]
    [InlineData("2025-01-10", "2025-01-08")]
    [InlineData("2026-07-06", "2026-07-02")]
    [InlineData("2022-01-03", "2021-12-31")]
    [InlineData("2026-01-20", "2026-01-16")]
    [InlineData("2026-03-08", "2026-03-06")]
    public void Previous_session_is_the_latest_strictly_before_the_date(string date, string expected)
    {
        var session = calendar.PreviousSession(D(date));

        Assert.Equal(D(expected), session.Date);
    }

    [Fact]
    public void Previous_session_keeps_the_early_close()
    {
        var session = calendar.PreviousSession(D("2025-12-26"));

        Assert.True(session.EarlyClose);
        Assert.Equal(T("2025-12-24T18:00:00Z"), session.Close);
    }

    [Fact]
    public void Configured_ad_hoc_closure_closes_the_day_and_is_listed_as_a_holiday()
    {
        var closures = Create(new Holiday(D("2026-03-11"), "Exchange systems outage"));

        var session = closures.GetSession(D("2026-03-11"));
        var holidays = closures.GetHolidays(D("2026-03-01"), D("2026-04-30"));
        var next = closures.NextSessionOpeningAfter(T("2026-03-10T20:00:00Z"));
        var previous = closures.PreviousSession(D("2026-03-12"));

        Assert.Null(session);
        Assert.Equal(["2026-03-11 Exchange systems outage", "2026-04-03 Good Friday"], holidays.Select(Describe));
        Assert.Equal(D("2026-03-12"), next.Date);
        Assert.Equal(D("2026-03-10"), previous.Date);
        Assert.True(calendar.IsTradingDay(D("2026-03-11")));
    }

    [Fact]
    public void Configured_ad_hoc_closure_shows_in_the_state()
    {
        var closures = Create(new Holiday(D("2026-03-11"), "Exchange systems outage"));

        var state = closures.GetState(T("2026-03-11T15:00:00Z"));

        Assert.False(state.IsOpen);
        Assert.Equal(MarketSessionKind.Closed, state.Session);
        Assert.Equal("Exchange systems outage", state.Holiday?.Name);
        Assert.Equal(T("2026-03-12T13:30:00Z"), state.NextOpen);
    }

    [Fact]
    public void Built_in_closures_stay_when_others_are_configured()
    {
        var closures = Create(new Holiday(D("2026-03-11"), "Exchange systems outage"));

        var bush = closures.GetHoliday(D("2018-12-05"));
        var carter = closures.GetHoliday(D("2025-01-09"));

        Assert.Equal("National Day of Mourning for George H. W. Bush", bush?.Name);
        Assert.Equal("National Day of Mourning for Jimmy Carter", carter?.Name);
    }

    [Fact]
    public void Rule_holiday_keeps_its_name_when_also_configured_as_a_closure()
    {
        var closures = Create(new Holiday(D("2026-12-25"), "Something else"));

        var holidays = closures.GetHolidays(D("2026-12-25"), D("2026-12-25"));

        Assert.Equal(["2026-12-25 Christmas Day"], holidays.Select(Describe));
    }

    [Fact]
    public void Search_that_finds_no_session_throws_instead_of_looping()
    {
        var start = D("2026-03-02");
        var closures = Create([.. Enumerable.Range(0, 60).Select(i => new Holiday(start.AddDays(i), "Extended closure"))]);

        var forward = Record.Exception(() => closures.NextSessionOpeningAfter(T("2026-03-02T12:00:00Z")));
        var backward = Record.Exception(() => closures.PreviousSession(D("2026-04-30")));

        Assert.IsType<InvalidOperationException>(forward);
        Assert.IsType<InvalidOperationException>(backward);
    }

    [Fact]
    public void Concurrent_first_use_gives_the_same_answers_as_sequential_use()
    {
        var shared = Create();
        var years = Enumerable.Range(1990, 60).ToArray();
        var sequential = years.Select(y => SessionCount(Create(), y)).ToArray();

        var concurrent = years.AsParallel().Select(y => SessionCount(shared, y)).ToArray();

        Assert.Equal(sequential, concurrent);
    }

    private static MarketCalendar Create(params Holiday[] adHocClosures) =>
        new(Options.Create(new MarketCalendarOptions { AdHocClosures = [.. adHocClosures] }));

    private static int SessionCount(MarketCalendar source, int year) =>
        source.GetSessions(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31)).Count;

    private static DateOnly D(string date) => DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset T(string instant) =>
        DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static TimeOnly EasternTimeOf(DateTimeOffset instant) =>
        TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, MarketCalendar.Eastern).DateTime);

    private static string Describe(Holiday holiday) =>
        holiday.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " " + holiday.Name;
}

using ApesTogether.Api.Features.Performance;
using static ApesTogether.Tests.Performance.Calendar;

namespace ApesTogether.Tests.Performance;

public sealed class PeriodTests
{
    [Theory]
    [InlineData("1D", Period.OneDay)]
    [InlineData("1d", Period.OneDay)]
    [InlineData("5D", Period.FiveDays)]
    [InlineData("7d", Period.SevenDays)]
    [InlineData("1M", Period.OneMonth)]
    [InlineData("3m", Period.ThreeMonths)]
    [InlineData("YTD", Period.YearToDate)]
    [InlineData("Ytd", Period.YearToDate)]
    [InlineData("1y", Period.OneYear)]
    [InlineData("MAX", Period.Max)]
    [InlineData("max", Period.Max)]
    public void Api_period_strings_parse_in_any_case(string text, Period expected)
    {
        Assert.True(PeriodNames.TryParse(text, out var period));
        Assert.Equal(expected, period);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" 1D")]
    [InlineData("1 D")]
    [InlineData("2D")]
    [InlineData("1W")]
    [InlineData("5Y")]
    [InlineData("OneDay")]
    [InlineData("0")]
    public void Anything_else_does_not_parse(string? text)
    {
        Assert.False(PeriodNames.TryParse(text, out _));
    }

    [Fact]
    public void Api_keys_are_the_lower_case_names_and_round_trip()
    {
        Assert.Equal(["1d", "5d", "7d", "1m", "3m", "ytd", "1y", "max"], PeriodNames.All.Select(p => p.ToApiKey()));
        Assert.All(PeriodNames.All, p => Assert.True(PeriodNames.TryParse(p.ToApiKey(), out var parsed) && parsed == p));
    }

    [Fact]
    public void Only_the_short_periods_use_intraday_snapshots()
    {
        Assert.Equal(
            [Period.OneDay, Period.FiveDays, Period.SevenDays],
            PeriodNames.All.Where(PeriodWindow.UsesIntraday));
    }

    public static TheoryData<string, Period, DateTimeOffset, DateTimeOffset> Windows => new()
    {
        // Wednesday 2026-03-04. Before the open the latest session is Tuesday, so 1D is Tuesday's move from Monday's close.
        { "before the open", Period.OneDay, Et(2026, 3, 4, 8), Et(2026, 3, 2, 16) },
        { "during the session", Period.OneDay, Et(2026, 3, 4, 11), Et(2026, 3, 3, 16) },
        { "after the close", Period.OneDay, Et(2026, 3, 4, 17), Et(2026, 3, 3, 16) },
        // Monday 2026-03-09 (the day after the switch to EDT): once open, 1D starts at Friday's close.
        { "Monday after a weekend", Period.OneDay, Et(2026, 3, 9, 10), Et(2026, 3, 6, 16) },
        { "Monday before the open", Period.OneDay, Et(2026, 3, 9, 8), Et(2026, 3, 5, 16) },
        // Tuesday 2026-01-20 follows Martin Luther King Jr. Day (Monday 01-19).
        { "day after a holiday, before the open", Period.OneDay, Et(2026, 1, 20, 8), Et(2026, 1, 15, 16) },
        { "day after a holiday, open", Period.OneDay, Et(2026, 1, 20, 11), Et(2026, 1, 16, 16) },
        // 5D: five sessions before Wednesday 03-04 are Tue 03-03, Mon 03-02, Fri 02-27, Thu 02-26, Wed 02-25.
        { "5D", Period.FiveDays, Et(2026, 3, 4, 11), Et(2026, 2, 25, 16) },
        // Before Tuesday 01-20: Fri 01-16, Thu 15, Wed 14, Tue 13, Mon 12 (the holiday is skipped).
        { "5D across a holiday", Period.FiveDays, Et(2026, 1, 20, 11), Et(2026, 1, 12, 16) },
        // 7D: a week before Wednesday 11:00 is Wednesday 02-25 11:00, before that day's close: Tuesday 02-24's close.
        { "7D during the session", Period.SevenDays, Et(2026, 3, 4, 11), Et(2026, 2, 24, 16) },
        { "7D after the close", Period.SevenDays, Et(2026, 3, 4, 17), Et(2026, 2, 25, 16) },
        // Monday 03-09 16:30 EDT: a week back on the wall clock is Monday 03-02 16:30 EST, after that close.
        { "7D across the DST change", Period.SevenDays, Et(2026, 3, 9, 16, 30), Et(2026, 3, 2, 16) },
        // 1M from March 31: Feb 28 2025 is a Friday session; in 2026 it is a Saturday, so Friday 02-27.
        { "1M from March 31 (2025)", Period.OneMonth, Et(2025, 3, 31, 12), Et(2025, 2, 28, 16) },
        { "1M from March 31 (2026)", Period.OneMonth, Et(2026, 3, 31, 12), Et(2026, 2, 27, 16) },
        { "3M", Period.ThreeMonths, Et(2026, 3, 4, 11), Et(2025, 12, 4, 16) },
        { "1Y", Period.OneYear, Et(2026, 3, 4, 11), Et(2025, 3, 4, 16) },
        // 1Y from Tuesday 2026-01-20 lands on 2025-01-20, Martin Luther King Jr. Day: the Friday before.
        { "1Y onto a holiday", Period.OneYear, Et(2026, 1, 20, 11), Et(2025, 1, 17, 16) },
        // YTD on Friday 2026-01-02 starts at Wednesday 2025-12-31's close, before and after the open.
        { "YTD on Jan 2, before the open", Period.YearToDate, Et(2026, 1, 2, 8), Et(2025, 12, 31, 16) },
        { "YTD on Jan 2, open", Period.YearToDate, Et(2026, 1, 2, 11), Et(2025, 12, 31, 16) },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void Windows_start_at_a_session_close(string because, Period period, DateTimeOffset now, DateTimeOffset expected)
    {
        var start = PeriodWindow.Start(period, now, Nyse);

        Assert.True(expected == start, $"{because}: expected {expected:O}, got {start:O}");
    }

    [Fact]
    public void Max_covers_all_history()
    {
        Assert.Equal(DateTimeOffset.MinValue, PeriodWindow.Start(Period.Max, Et(2026, 3, 4, 11), Nyse));
    }
}

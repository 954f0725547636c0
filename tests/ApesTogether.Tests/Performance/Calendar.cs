using ApesTogether.Api.Features.Market;
using Microsoft.Extensions.Options;

namespace ApesTogether.Tests.Performance;

/// <summary>The real NYSE calendar and a shorthand for exchange wall-clock instants, so tests read in New York time.</summary>
internal static class Calendar
{
    public static MarketCalendar Nyse { get; } = new(Options.Create(new MarketCalendarOptions()));

    public static DateTimeOffset Et(int year, int month, int day, int hour, int minute = 0) =>
        MarketCalendar.EasternToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute));
}

using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApesTogether.Api.Features.Market;

public sealed record MarketStatusResponse(bool IsOpen, MarketSessionKind Session, DateTimeOffset Now, DateTimeOffset NextOpen,
    DateTimeOffset NextClose, bool IsHoliday, string? HolidayName);

public sealed record SessionResponse(DateOnly Date, DateTimeOffset Open, DateTimeOffset Close, bool EarlyClose);

public sealed record MarketCalendarResponse(DateOnly From, DateOnly To, IReadOnlyList<SessionResponse> Sessions, IReadOnlyList<Holiday> Holidays);

public static class MarketEndpoints
{
    public const int MaxCalendarSpanDays = 366;

    public static IHostApplicationBuilder AddMarket(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MarketCalendarOptions>().BindConfiguration(MarketCalendarOptions.Section);
        builder.Services.AddSingleton<MarketCalendar>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMarket(this IEndpointRouteBuilder app)
    {
        var market = app.MapGroup("/api/v1/market").WithTags("Market");
        market.MapGet("/status", Status);
        market.MapGet("/calendar", Calendar);
        return app;
    }

    static Ok<MarketStatusResponse> Status(MarketCalendar calendar, TimeProvider clock)
    {
        var state = calendar.GetState(clock.GetUtcNow());
        return TypedResults.Ok(new MarketStatusResponse(state.IsOpen, state.Session, state.Now, state.NextOpen, state.NextClose,
            state.Holiday is not null, state.Holiday?.Name));
    }

    static Results<Ok<MarketCalendarResponse>, ProblemHttpResult> Calendar(string? from, string? to, MarketCalendar calendar, TimeProvider clock)
    {
        var today = MarketCalendar.ExchangeDate(clock.GetUtcNow());
        if (!TryParseDate(from, today, out var start))
        {
            return ApiProblem.Validation("from", "The field from must be a date (yyyy-MM-dd).");
        }
        if (!TryParseDate(to, start.AddDays(30), out var end))
        {
            return ApiProblem.Validation("to", "The field to must be a date (yyyy-MM-dd).");
        }
        if (end < start)
        {
            return ApiProblem.Validation("to", "The field to must not be before from.");
        }
        if (end.DayNumber - start.DayNumber > MaxCalendarSpanDays)
        {
            return ApiProblem.Validation("to", $"The span from..to may be at most {MaxCalendarSpanDays} days.");
        }
        var sessions = calendar.GetSessions(start, end).Select(s => new SessionResponse(s.Date, s.Open, s.Close, s.EarlyClose)).ToList();
        return TypedResults.Ok(new MarketCalendarResponse(start, end, sessions, calendar.GetHolidays(start, end)));
    }

    static bool TryParseDate(string? value, DateOnly fallback, out DateOnly date)
    {
        if (string.IsNullOrEmpty(value))
        {
            date = fallback;
            return true;
        }
        return DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out date) && date.Year is >= 1990 and <= 2200;
    }
}

using System.Globalization;

namespace ApesTogether.Api.Infrastructure;

/// <summary>
/// The system clock moved to start at a chosen instant and run on in real time from there. For demonstrations and
/// benchmarks that need, say, the market open whatever the hour: every clock-driven part (market hours, jobs, cache
/// lifetimes, quiet hours, token lifetimes) sees the moved time. Timers and delays run in real time, as on the system clock.
/// </summary>
public sealed class ShiftedTimeProvider(TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset { get; } = offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}

public static class ClockSetup
{
    public const string StartAtKey = "Clock:StartAt";

    /// <summary>
    /// The system clock, or, when <c>Clock:StartAt</c> (an ISO 8601 instant) is set, a clock that starts there. Never set it
    /// in production: the service would record trades at the moved time.
    /// </summary>
    public static TimeProvider From(IConfiguration configuration)
    {
        var value = configuration[StartAtKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return TimeProvider.System;
        }
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start))
        {
            throw new InvalidOperationException($"{StartAtKey} must be an ISO 8601 instant such as 2026-03-02T15:00:00Z, not '{value}'.");
        }
        return new ShiftedTimeProvider(start - TimeProvider.System.GetUtcNow());
    }
}

namespace ApesTogether.Api.Features.Notifications;

/// <summary>Quiet hours in a recipient's zone; the window may cross midnight (22:00–08:00). Equal ends mean none.</summary>
public static class QuietHours
{
    public static bool Contains(TimeOnly start, TimeOnly end, TimeOnly local) =>
        start < end ? local >= start && local < end
        : start > end && (local >= start || local < end);

    /// <summary>
    /// When the quiet hours around <paramref name="nowUtc"/> end, as a UTC instant, or null when <paramref name="nowUtc"/> is not
    /// inside them. An end that falls into a DST gap moves forward to the first valid local time.
    /// </summary>
    public static DateTime? EndsAt(TimeOnly start, TimeOnly end, TimeZoneInfo zone, DateTime nowUtc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc), zone);
        var time = TimeOnly.FromDateTime(local);
        if (!Contains(start, end, time))
        {
            return null;
        }
        var date = DateOnly.FromDateTime(local);
        if (time >= end)
        {
            date = date.AddDays(1);
        }
        var endLocal = date.ToDateTime(end, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(endLocal))
        {
            endLocal = endLocal.AddMinutes(15);
        }
        return TimeZoneInfo.ConvertTimeToUtc(endLocal, zone);
    }

    public static TimeZoneInfo ZoneOrUtc(string? id) =>
        !string.IsNullOrEmpty(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}

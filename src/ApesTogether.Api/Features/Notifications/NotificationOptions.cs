using System.ComponentModel.DataAnnotations;
using ApesTogether.Api.Infrastructure;

namespace ApesTogether.Api.Features.Notifications;

public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>How long a recipient's alerts wait so that several fold into one push.</summary>
    [TimeSpanRange("00:00:00", "00:10:00")] public TimeSpan BatchWindow { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Global ceiling of pushes (one per recipient and batch) per clock minute; the rest wait for the next minute.</summary>
    [Range(1, 1_000_000)] public int MaxPerMinute { get; set; } = 500;
    /// <summary>How often the worker looks for due notifications.</summary>
    [TimeSpanRange("00:00:00.050", "00:01:00")] public TimeSpan SendInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Attempts before a notification is marked failed.</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 5;
    /// <summary><c>Log</c> (default); <c>Fcm</c> comes with the FCM sender.</summary>
    [RegularExpression("^(Log)$")] public string Sender { get; set; } = "Log";
}

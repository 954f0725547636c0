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
    /// <summary><c>Log</c> (default) writes pushes to the log; <c>Fcm</c> sends them through FCM HTTP v1 (<see cref="Fcm"/>).</summary>
    [RegularExpression("^(Log|Fcm)$")] public string Sender { get; set; } = "Log";
    /// <summary>Pushes in flight at once within one batch (FCM v1 has no batch endpoint: one request per device).</summary>
    [Range(1, 1024)] public int SendConcurrency { get; set; } = 32;
    public FcmOptions Fcm { get; set; } = new();

    public bool UsesFcm => string.Equals(Sender, "Fcm", StringComparison.Ordinal);
}

/// <summary><c>Notifications:Fcm</c>: the FCM HTTP v1 sender.</summary>
public sealed class FcmOptions
{
    /// <summary>Path of the Google service-account JSON; its <c>token_uri</c> is where access tokens come from.</summary>
    public string? ServiceAccountFile { get; set; }
    [Required, Url] public string BaseUrl { get; set; } = "https://fcm.googleapis.com/";
    /// <summary>The Firebase project; the service account's <c>project_id</c> when not set.</summary>
    [RegularExpression("^[a-z0-9-]{1,100}$")] public string? ProjectId { get; set; }
    /// <summary>HTTP requests one push may make: retries of 429/5xx/network errors and the one retry after a token refresh.</summary>
    [Range(1, 10)] public int MaxAttempts { get; set; } = 3;
    /// <summary>Waits for a retry inside one push no longer than this; a longer Retry-After goes back to the sender's queue.</summary>
    [TimeSpanRange("00:00:00", "00:01:00")] public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>First in-call backoff when the answer has no Retry-After; doubles per attempt.</summary>
    [TimeSpanRange("00:00:00", "00:00:30")] public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Per HTTP request, for sends and for token requests.</summary>
    [TimeSpanRange("00:00:00.100", "00:01:00")] public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

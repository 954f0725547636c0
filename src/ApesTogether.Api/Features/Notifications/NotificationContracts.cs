using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ApesTogether.Api.Infrastructure;

namespace ApesTogether.Api.Features.Notifications;

public sealed class RegisterDeviceRequest
{
    [Required, StringLength(DeviceToken.MaxTokenLength, MinimumLength = 1), PlainText]
    public string Token { get; init; } = "";

    [Required, RegularExpression("^(ios|android)$", ErrorMessage = "The field platform must be 'ios' or 'android'.")]
    public string Platform { get; init; } = "";
}

public sealed record DeviceResponse(string Token, string Platform, DateTime CreatedAt, DateTime LastSeenAt);

public sealed class QuietHoursRequest
{
    public const string Pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

    [Required, RegularExpression(Pattern, ErrorMessage = "The field start must be a time HH:mm such as 22:00.")]
    public string Start { get; init; } = "";

    [Required, RegularExpression(Pattern, ErrorMessage = "The field end must be a time HH:mm such as 08:00.")]
    public string End { get; init; } = "";
}

/// <summary>Fields left out keep their current value; an empty time_zone falls back to the account's zone.</summary>
public sealed class UpdateNotificationSettingsRequest
{
    public bool? PushEnabled { get; init; }

    public QuietHoursRequest? QuietHours { get; init; }

    [IanaTimeZone]
    public string? TimeZone { get; init; }

    [MaxLength(500)]
    public List<string>? MutedCreators { get; init; }
}

public sealed record QuietHoursResponse(string Start, string End);

public sealed record NotificationSettingsResponse(bool PushEnabled, QuietHoursResponse QuietHours, string? TimeZone,
    string EffectiveTimeZone, IReadOnlyList<string> MutedCreators);

public sealed record NotificationResponse(long Id, string Type, string Title, string Body, JsonElement Data, string Status,
    DateTime CreatedAt, DateTime? SentAt);

public sealed record NotificationPage(IReadOnlyList<NotificationResponse> Items, string? NextCursor);

using ApesTogether.Api.Features.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.Notifications;

/// <summary>A push token of one device. A token belongs to one user; registering it for another user moves it.</summary>
public sealed class DeviceToken
{
    public const int MaxTokenLength = 4096;

    public long Id { get; set; }
    public required string Token { get; set; }
    public long UserId { get; set; }
    /// <summary><c>ios</c> or <c>android</c>.</summary>
    public required string Platform { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastSeenAt { get; set; }
}

/// <summary>A user's push preferences. No row means the defaults: push on, quiet 22:00–08:00 in the user's time zone.</summary>
public sealed class NotificationSettings
{
    public static readonly TimeOnly DefaultQuietStart = new(22, 0);
    public static readonly TimeOnly DefaultQuietEnd = new(8, 0);

    public long UserId { get; set; }
    public bool PushEnabled { get; set; } = true;
    public TimeOnly QuietStart { get; set; } = DefaultQuietStart;
    public TimeOnly QuietEnd { get; set; } = DefaultQuietEnd;
    /// <summary>IANA zone of the quiet hours; null falls back to the user's time zone.</summary>
    public string? TimeZone { get; set; }
    public List<long> MutedCreatorIds { get; set; } = [];
}

/// <summary>The lower-case strings stored in <c>notifications.status</c> and returned by the API.</summary>
public static class NotificationStatus
{
    /// <summary>Waiting for its batching window to close.</summary>
    public const string Queued = "queued";
    /// <summary>Arrived during the recipient's quiet hours; due when they end.</summary>
    public const string Held = "held";
    public const string Sent = "sent";
    /// <summary>Every attempt failed.</summary>
    public const string Failed = "failed";
    /// <summary>Not pushed: the recipient has no device.</summary>
    public const string Suppressed = "suppressed";
}

/// <summary>One alert for one recipient. Several due together for one recipient go out as one push.</summary>
public sealed class Notification
{
    public const string TradeAlert = "trade_alert";

    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Type { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    /// <summary>JSON object text.</summary>
    public required string Data { get; set; }
    public required string Status { get; set; }
    /// <summary>Unique per user: <c>trade:{event_id}</c>, so a redelivered event adds nothing.</summary>
    public required string DedupeKey { get; set; }
    /// <summary>Who caused it (the trader), for the summary "3 new trades from 2 traders".</summary>
    public long? ActorUserId { get; set; }
    public string? ActorUsername { get; set; }
    /// <summary>When the cause committed (the trade's executed_at): latency is measured from here.</summary>
    public DateTime SourceAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime DueAt { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public long? LatencyMs { get; set; }
    /// <summary>The push it went out in; rows folded together share it.</summary>
    public Guid? PushId { get; set; }
    public string? LastError { get; set; }
}

sealed class DeviceTokenConfiguration : IEntityTypeConfiguration<DeviceToken>
{
    public void Configure(EntityTypeBuilder<DeviceToken> b)
    {
        b.ToTable("device_tokens");
        b.Property(d => d.Token).HasMaxLength(DeviceToken.MaxTokenLength);
        b.Property(d => d.Platform).HasMaxLength(10);
        b.HasIndex(d => d.Token).IsUnique();
        b.HasIndex(d => d.UserId);
        b.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class NotificationSettingsConfiguration : IEntityTypeConfiguration<NotificationSettings>
{
    public void Configure(EntityTypeBuilder<NotificationSettings> b)
    {
        b.ToTable("notification_settings");
        b.HasKey(s => s.UserId);
        b.Property(s => s.UserId).ValueGeneratedNever();
        b.Property(s => s.PushEnabled).HasDefaultValue(true).ValueGeneratedNever();
        b.Property(s => s.QuietStart).HasDefaultValue(NotificationSettings.DefaultQuietStart).ValueGeneratedNever();
        b.Property(s => s.QuietEnd).HasDefaultValue(NotificationSettings.DefaultQuietEnd).ValueGeneratedNever();
        b.Property(s => s.TimeZone).HasMaxLength(64);
        b.HasOne<User>().WithOne().HasForeignKey<NotificationSettings>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications");
        b.Property(n => n.Type).HasMaxLength(30);
        b.Property(n => n.Title).HasMaxLength(200);
        b.Property(n => n.Body).HasMaxLength(1000);
        b.Property(n => n.Status).HasMaxLength(12);
        b.Property(n => n.DedupeKey).HasMaxLength(100);
        b.Property(n => n.ActorUsername).HasMaxLength(30);
        b.Property(n => n.LastError).HasMaxLength(1000);
        b.HasIndex(n => new { n.UserId, n.DedupeKey }).IsUnique();
        b.HasIndex(n => new { n.UserId, n.Id });
        b.HasIndex(n => new { n.Status, n.DueAt });
        b.HasIndex(n => n.SentAt);
        b.HasOne<User>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

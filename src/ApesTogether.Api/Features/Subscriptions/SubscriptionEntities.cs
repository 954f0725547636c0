using System.ComponentModel.DataAnnotations;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.Subscriptions;

/// <summary>The lower-case strings stored in <c>subscriptions.status</c> and returned by the API.</summary>
public static class SubscriptionStatus
{
    public const string Active = "active";
    /// <summary>Will not renew; access continues until <see cref="Subscription.CurrentPeriodEnd"/>.</summary>
    public const string Canceled = "canceled";
    /// <summary>The paid period ended without a renewal; never grants access.</summary>
    public const string Expired = "expired";
}

/// <summary>
/// One subscriber paying one creator. At most one row per (subscriber, creator) is not expired: the partial unique index
/// decides races between parallel subscribes.
/// </summary>
public sealed class Subscription
{
    public long Id { get; set; }
    public long SubscriberUserId { get; set; }
    public long CreatorUserId { get; set; }
    public required string Tier { get; set; }
    public decimal Price { get; set; }
    public required string Status { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime CurrentPeriodEnd { get; set; }
    public DateTime? CanceledAt { get; set; }
    public string? Platform { get; set; }
    public string? Receipt { get; set; }
}

sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> b)
    {
        b.ToTable("subscriptions");
        b.Property(s => s.Tier).HasMaxLength(30);
        b.Property(s => s.Status).HasMaxLength(10);
        b.Property(s => s.Platform).HasMaxLength(10);
        b.Property(s => s.Receipt).HasMaxLength(SubscribeRequest.MaxReceiptLength);
        b.Property(s => s.Price).HasPrecision(Precision.MoneyPrecision, Precision.MoneyScale);
        b.HasIndex(s => new { s.SubscriberUserId, s.CreatorUserId }).IsUnique().HasFilter("status <> 'expired'");
        b.HasIndex(s => new { s.CreatorUserId, s.Status, s.CurrentPeriodEnd });
        b.HasIndex(s => new { s.Status, s.CurrentPeriodEnd });
        b.HasOne<User>().WithMany().HasForeignKey(s => s.SubscriberUserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<User>().WithMany().HasForeignKey(s => s.CreatorUserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>One purchasable tier, from configuration (section <c>Subscriptions:Tiers:{id}</c>).</summary>
public sealed class SubscriptionTierOptions
{
    [Required, StringLength(60)]
    public string Name { get; set; } = "";

    [Infrastructure.DecimalRange("0.01", "100000")]
    public decimal Price { get; set; }

    [Range(1, 120)]
    public int PeriodMonths { get; set; } = 1;

    [StringLength(200)]
    public string Description { get; set; } = "";
}

public sealed class SubscriptionOptions
{
    public const string Section = "Subscriptions";
    public const string DefaultTier = "monthly";

    /// <summary>Tiers by id; configuration may change the defaults or add tiers.</summary>
    public Dictionary<string, SubscriptionTierOptions> Tiers { get; set; } = new(StringComparer.Ordinal)
    {
        ["monthly"] = new() { Name = "Monthly", Price = 9.00m, PeriodMonths = 1, Description = "Full portfolio and trades, billed monthly." },
        ["yearly"] = new() { Name = "Yearly", Price = 69.00m, PeriodMonths = 12, Description = "Full portfolio and trades, billed yearly." },
    };
}

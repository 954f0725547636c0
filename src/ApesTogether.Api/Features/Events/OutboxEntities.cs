using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.Events;

public enum OutboxStatus { Pending, Delivered, Dead }

/// <summary>
/// An event written in the same database transaction as the change it announces, so an accepted trade and its
/// <c>trade_executed</c> event are committed together or not at all. A dispatcher delivers it at least once.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public DateTime CreatedAt { get; set; }
    public OutboxStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>Not delivered before this instant: retry backoff, and the lease of the dispatcher that claimed it.</summary>
    public DateTime AvailableAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A consumer's record that it handled an event, written with the consumer's own effect: redeliveries are no-ops.</summary>
public sealed class ProcessedEvent
{
    public long Id { get; set; }
    public required string Consumer { get; set; }
    public Guid EventId { get; set; }
    public DateTime ProcessedAt { get; set; }
}

/// <summary>Analytics: trades per user per exchange day, counted from <c>trade_executed</c> events.</summary>
public sealed class TradeCount
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public DateOnly Date { get; set; }
    public int Trades { get; set; }
}

sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_messages");
        b.Property(m => m.Type).HasMaxLength(40);
        b.Property(m => m.Status).HasConversion<string>().HasMaxLength(12);
        b.Property(m => m.LastError).HasMaxLength(1000);
        b.HasIndex(m => m.EventId).IsUnique();
        b.HasIndex(m => new { m.Status, m.AvailableAt });
    }
}

sealed class ProcessedEventConfiguration : IEntityTypeConfiguration<ProcessedEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedEvent> b)
    {
        b.ToTable("processed_events");
        b.Property(p => p.Consumer).HasMaxLength(40);
        b.HasIndex(p => new { p.Consumer, p.EventId }).IsUnique();
    }
}

sealed class TradeCountConfiguration : IEntityTypeConfiguration<TradeCount>
{
    public void Configure(EntityTypeBuilder<TradeCount> b)
    {
        b.ToTable("trade_counts");
        b.HasIndex(c => new { c.UserId, c.Date }).IsUnique();
        b.HasIndex(c => c.Date);
    }
}

using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.Trades;

public enum TradeAction { Buy, Sell }

/// <summary>A current position; at most one per user and ticker, deleted when it reaches zero.</summary>
public sealed class Holding
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Ticker { get; set; }
    public decimal Quantity { get; set; }
    /// <summary>Weighted-average cost per share of the shares still held.</summary>
    public decimal AverageCost { get; set; }
    public DateTime OpenedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One executed trade: the ledger from which holdings and cash can always be rebuilt.</summary>
public sealed class StockTransaction
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Ticker { get; set; }
    public TradeAction Action { get; set; }
    public decimal Quantity { get; set; }
    public decimal Price { get; set; }
    /// <summary>Quantity × price rounded to cents; the amount that moved cash.</summary>
    public decimal Total { get; set; }
    public DateTime ExecutedAt { get; set; }
    public required string PriceSource { get; set; }
    public required string MarketSession { get; set; }
    public long? PendingTradeId { get; set; }
    /// <summary>The user's capital deployed right after this trade: the cash state as of any instant is one lookup.</summary>
    public decimal CapitalDeployedAfter { get; set; }
    public decimal CashProceedsAfter { get; set; }
}

/// <summary>
/// Per-user cash state of the cash model: capital deployed (outside money ever needed, never falls) and
/// cash proceeds (uninvested cash from sales). <see cref="Version"/> is bumped by every trade, which also
/// serves as the per-user write lock.
/// </summary>
public sealed class CashAccount
{
    public long UserId { get; set; }
    public decimal CapitalDeployed { get; set; }
    public decimal CashProceeds { get; set; }
    public long Version { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum PendingTradeStatus { Queued, Executed, Failed, Canceled }

/// <summary>A trade placed while the market was closed, settled at the next session's opening price.</summary>
public sealed class PendingTrade
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Ticker { get; set; }
    public TradeAction Action { get; set; }
    public decimal Quantity { get; set; }
    public PendingTradeStatus Status { get; set; }
    public DateTime QueuedAt { get; set; }
    /// <summary>The open of the session that settles it.</summary>
    public DateTime ExecutesAt { get; set; }
    public DateTime? SettledAt { get; set; }
    public long? TransactionId { get; set; }
    public string? FailureReason { get; set; }
}

/// <summary>The first successful answer to a trade request with an Idempotency-Key, replayed for retries.</summary>
public sealed class IdempotencyRecord
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public int StatusCode { get; set; }
    public required string ResponseJson { get; set; }
    public DateTime CreatedAt { get; set; }
}

sealed class HoldingConfiguration : IEntityTypeConfiguration<Holding>
{
    public void Configure(EntityTypeBuilder<Holding> b)
    {
        b.ToTable("holdings");
        b.Property(h => h.Ticker).HasMaxLength(10);
        b.Property(h => h.Quantity).HasPrecision(Precision.QuantityPrecision, Precision.QuantityScale);
        b.Property(h => h.AverageCost).HasPrecision(Precision.QuantityPrecision, Precision.QuantityScale);
        b.HasIndex(h => new { h.UserId, h.Ticker }).IsUnique();
        b.HasOne<User>().WithMany().HasForeignKey(h => h.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class StockTransactionConfiguration : IEntityTypeConfiguration<StockTransaction>
{
    public void Configure(EntityTypeBuilder<StockTransaction> b)
    {
        b.ToTable("transactions");
        b.Property(t => t.Ticker).HasMaxLength(10);
        b.Property(t => t.Action).HasConversion<string>().HasMaxLength(8);
        b.Property(t => t.Quantity).HasPrecision(Precision.QuantityPrecision, Precision.QuantityScale);
        b.Property(t => t.Price).HasPrecision(Precision.PricePrecision, Precision.PriceScale);
        b.Property(t => t.Total).HasPrecision(Precision.MoneyPrecision, Precision.MoneyScale);
        b.Property(t => t.PriceSource).HasMaxLength(20);
        b.Property(t => t.MarketSession).HasMaxLength(20);
        b.Property(t => t.CapitalDeployedAfter).HasPrecision(Precision.MoneyPrecision, Precision.MoneyScale);
        b.Property(t => t.CashProceedsAfter).HasPrecision(Precision.MoneyPrecision, Precision.MoneyScale);
        b.HasIndex(t => new { t.UserId, t.ExecutedAt });
        b.HasIndex(t => new { t.UserId, t.Id });
        b.HasIndex(t => t.PendingTradeId).IsUnique();
        b.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class CashAccountConfiguration : IEntityTypeConfiguration<CashAccount>
{
    public void Configure(EntityTypeBuilder<CashAccount> b)
    {
        b.ToTable("cash_accounts");
        b.HasKey(c => c.UserId);
        b.Property(c => c.UserId).ValueGeneratedNever();
        b.Property(c => c.CapitalDeployed).HasPrecision(Precision.MoneyPrecision, Precision.MoneyScale);
        b.Property(c => c.CashProceeds).HasPrecision(Precision.MoneyPrecision, Precision.MoneyScale);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasOne<User>().WithOne().HasForeignKey<CashAccount>(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class PendingTradeConfiguration : IEntityTypeConfiguration<PendingTrade>
{
    public void Configure(EntityTypeBuilder<PendingTrade> b)
    {
        b.ToTable("pending_trades");
        b.Property(p => p.Ticker).HasMaxLength(10);
        b.Property(p => p.Action).HasConversion<string>().HasMaxLength(8);
        b.Property(p => p.Status).HasConversion<string>().HasMaxLength(12);
        b.Property(p => p.Quantity).HasPrecision(Precision.QuantityPrecision, Precision.QuantityScale);
        b.Property(p => p.FailureReason).HasMaxLength(200);
        b.HasIndex(p => new { p.Status, p.ExecutesAt });
        b.HasIndex(p => new { p.UserId, p.Status });
        b.HasOne<User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_records");
        b.Property(r => r.Key).HasMaxLength(100);
        b.Property(r => r.RequestHash).HasMaxLength(64);
        b.HasIndex(r => new { r.UserId, r.Key }).IsUnique();
        b.HasIndex(r => r.CreatedAt);
        b.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

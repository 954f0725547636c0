using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.Snapshots;

/// <summary>
/// A user's portfolio at the close of one session: holdings from the ledger as of the close, priced at the
/// official close, plus the cash state as of the close. One row per user and exchange date.
/// </summary>
public sealed class DailySnapshot
{
    public long Id { get; set; }
    public long UserId { get; set; }
    /// <summary>The exchange (New York) date of the session.</summary>
    public DateOnly Date { get; set; }
    /// <summary>The instant the values are as of: the session's real close (16:00 or 13:00 New York).</summary>
    public DateTime At { get; set; }
    public decimal TotalValue { get; set; }
    public decimal StockValue { get; set; }
    public decimal CashProceeds { get; set; }
    public decimal CapitalDeployed { get; set; }
}

/// <summary>The same values every 15 minutes in session; kept 14 days. One row per user and instant.</summary>
public sealed class IntradaySnapshot
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public DateTime At { get; set; }
    public decimal TotalValue { get; set; }
    public decimal StockValue { get; set; }
    public decimal CashProceeds { get; set; }
    public decimal CapitalDeployed { get; set; }
}

/// <summary>A ticker's price at an intraday snapshot instant (SPY, the benchmark, is captured at every one).</summary>
public sealed class IntradayPrice
{
    public long Id { get; set; }
    public required string Ticker { get; set; }
    public DateTime At { get; set; }
    public decimal Price { get; set; }
}

/// <summary>One run of a scheduled job for one tick; the unique (job, tick) makes a tick run once across instances.</summary>
public sealed class JobRun
{
    public long Id { get; set; }
    public required string Job { get; set; }
    /// <summary>The tick this run is for (e.g. the close instant it snapshots), as an ISO instant or "manual-…".</summary>
    public required string Tick { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public required string Outcome { get; set; }
    public string? Detail { get; set; }
}

sealed class DailySnapshotConfiguration : IEntityTypeConfiguration<DailySnapshot>
{
    public void Configure(EntityTypeBuilder<DailySnapshot> b)
    {
        b.ToTable("daily_snapshots");
        Money(b.Property(s => s.TotalValue));
        Money(b.Property(s => s.StockValue));
        Money(b.Property(s => s.CashProceeds));
        Money(b.Property(s => s.CapitalDeployed));
        b.HasIndex(s => new { s.UserId, s.Date }).IsUnique();
        b.HasIndex(s => s.Date);
        b.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    internal static void Money(PropertyBuilder<decimal> p) => p.HasPrecision(Precision.MoneyPrecision + 2, 4);
}

sealed class IntradaySnapshotConfiguration : IEntityTypeConfiguration<IntradaySnapshot>
{
    public void Configure(EntityTypeBuilder<IntradaySnapshot> b)
    {
        b.ToTable("intraday_snapshots");
        DailySnapshotConfiguration.Money(b.Property(s => s.TotalValue));
        DailySnapshotConfiguration.Money(b.Property(s => s.StockValue));
        DailySnapshotConfiguration.Money(b.Property(s => s.CashProceeds));
        DailySnapshotConfiguration.Money(b.Property(s => s.CapitalDeployed));
        b.HasIndex(s => new { s.UserId, s.At }).IsUnique();
        b.HasIndex(s => s.At);
        b.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class IntradayPriceConfiguration : IEntityTypeConfiguration<IntradayPrice>
{
    public void Configure(EntityTypeBuilder<IntradayPrice> b)
    {
        b.ToTable("intraday_prices");
        b.Property(p => p.Ticker).HasMaxLength(10);
        b.Property(p => p.Price).HasPrecision(Precision.PricePrecision, Precision.PriceScale);
        b.HasIndex(p => new { p.Ticker, p.At }).IsUnique();
    }
}

sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> b)
    {
        b.ToTable("job_runs");
        b.Property(r => r.Job).HasMaxLength(40);
        b.Property(r => r.Tick).HasMaxLength(60);
        b.Property(r => r.Outcome).HasMaxLength(20);
        b.Property(r => r.Detail).HasMaxLength(1000);
        b.HasIndex(r => new { r.Job, r.Tick }).IsUnique();
        b.HasIndex(r => new { r.Job, r.StartedAt });
    }
}

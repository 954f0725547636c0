using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.Leaderboard;

/// <summary>
/// One eligible user's standing for one period, precomputed by the rebuild job. Every eligible user has a row, so
/// filters and ranking run over the whole field; ranks are assigned at query time within the filtered set.
/// </summary>
public sealed class LeaderboardEntry
{
    public long Id { get; set; }
    public required string Period { get; set; }
    public long UserId { get; set; }
    public required string Username { get; set; }
    public string? DisplayName { get; set; }
    public bool IsAgent { get; set; }
    public decimal ReturnPct { get; set; }
    /// <summary>The same period's return as of the previous trading day's close: the basis of rank_change.</summary>
    public decimal? PreviousReturnPct { get; set; }
    public decimal AlphaPct { get; set; }
    public decimal? MaxDrawdownPct { get; set; }
    public decimal? VolatilityPct { get; set; }
    public decimal? SharpeRatio { get; set; }
    public decimal AvgTradesPerWeek { get; set; }
    /// <summary>Share of the stock value in large caps (market cap ≥ the large-cap threshold), in percent.</summary>
    public decimal LargeCapPct { get; set; }
    /// <summary>Sectors of the current holdings, '|'-separated, for the industry filter.</summary>
    public required string Sectors { get; set; }
    public int SubscriberCount { get; set; }
    /// <summary>The return index (percent) at up to 150 points, as a JSON array.</summary>
    public required string Sparkline { get; set; }
    public DateTime ComputedAt { get; set; }
}

/// <summary>Per period: when the board was computed and the benchmark's return over the same window.</summary>
public sealed class LeaderboardPeriod
{
    public required string Period { get; set; }
    public DateTime AsOf { get; set; }
    public DateTime WindowStart { get; set; }
    public decimal BenchmarkReturnPct { get; set; }
    public int Entries { get; set; }
}

sealed class LeaderboardEntryConfiguration : IEntityTypeConfiguration<LeaderboardEntry>
{
    public void Configure(EntityTypeBuilder<LeaderboardEntry> b)
    {
        b.ToTable("leaderboard_entries");
        b.Property(e => e.Period).HasMaxLength(8);
        b.Property(e => e.Username).HasMaxLength(30);
        b.Property(e => e.DisplayName).HasMaxLength(60);
        foreach (var p in new[] { nameof(LeaderboardEntry.ReturnPct), nameof(LeaderboardEntry.PreviousReturnPct), nameof(LeaderboardEntry.AlphaPct),
                     nameof(LeaderboardEntry.MaxDrawdownPct), nameof(LeaderboardEntry.VolatilityPct), nameof(LeaderboardEntry.SharpeRatio),
                     nameof(LeaderboardEntry.AvgTradesPerWeek), nameof(LeaderboardEntry.LargeCapPct) })
        {
            b.Property(p).HasPrecision(18, 4);
        }
        b.Property(e => e.Sectors).HasMaxLength(1000);
        b.HasIndex(e => new { e.Period, e.UserId }).IsUnique();
        b.HasIndex(e => new { e.Period, e.ReturnPct });
    }
}

sealed class LeaderboardPeriodConfiguration : IEntityTypeConfiguration<LeaderboardPeriod>
{
    public void Configure(EntityTypeBuilder<LeaderboardPeriod> b)
    {
        b.ToTable("leaderboard_periods");
        b.HasKey(p => p.Period);
        b.Property(p => p.Period).HasMaxLength(8);
        b.Property(p => p.BenchmarkReturnPct).HasPrecision(18, 4);
    }
}

using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>One outbound market-data call: what, how many symbols, which key (by index, never the key), how it went.</summary>
public sealed class ApiCallLog
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string Provider { get; set; }
    public required string Function { get; set; }
    public int SymbolCount { get; set; }
    public int? KeyIndex { get; set; }
    public required string Status { get; set; }
    public int LatencyMs { get; set; }
}

/// <summary>A session's official open and close for one ticker; one row per ticker and exchange date.</summary>
public sealed class DailyPrice
{
    public long Id { get; set; }
    public required string Ticker { get; set; }
    public DateOnly Date { get; set; }
    public decimal? Open { get; set; }
    public decimal Close { get; set; }
    public required string Source { get; set; }
    public DateTime RecordedAt { get; set; }
}

/// <summary>Company facts per ticker (AlphaVantage OVERVIEW, or the built-in universe).</summary>
public sealed class StockInfoRow
{
    public required string Ticker { get; set; }
    public required string Name { get; set; }
    public string? Sector { get; set; }
    public string? Industry { get; set; }
    public decimal? MarketCapitalization { get; set; }
    public required string Source { get; set; }
    public DateTime UpdatedAt { get; set; }
}

sealed class ApiCallLogConfiguration : IEntityTypeConfiguration<ApiCallLog>
{
    public void Configure(EntityTypeBuilder<ApiCallLog> b)
    {
        b.ToTable("api_call_logs");
        b.Property(l => l.Provider).HasMaxLength(20);
        b.Property(l => l.Function).HasMaxLength(40);
        b.Property(l => l.Status).HasMaxLength(20);
        b.HasIndex(l => l.At);
    }
}

sealed class DailyPriceConfiguration : IEntityTypeConfiguration<DailyPrice>
{
    public void Configure(EntityTypeBuilder<DailyPrice> b)
    {
        b.ToTable("daily_prices");
        b.Property(p => p.Ticker).HasMaxLength(10);
        b.Property(p => p.Open).HasPrecision(Precision.PricePrecision, Precision.PriceScale);
        b.Property(p => p.Close).HasPrecision(Precision.PricePrecision, Precision.PriceScale);
        b.Property(p => p.Source).HasMaxLength(20);
        b.HasIndex(p => new { p.Ticker, p.Date }).IsUnique();
        b.HasIndex(p => p.Date);
    }
}

sealed class StockInfoRowConfiguration : IEntityTypeConfiguration<StockInfoRow>
{
    public void Configure(EntityTypeBuilder<StockInfoRow> b)
    {
        b.ToTable("stock_info");
        b.HasKey(s => s.Ticker);
        b.Property(s => s.Ticker).HasMaxLength(10);
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.Sector).HasMaxLength(100);
        b.Property(s => s.Industry).HasMaxLength(200);
        b.Property(s => s.MarketCapitalization).HasPrecision(24, 0);
        b.Property(s => s.Source).HasMaxLength(20);
    }
}

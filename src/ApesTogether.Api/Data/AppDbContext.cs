using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ApesTogether.Api.Data;

/// <summary>
/// The one model of the service. Each provider has a subclass only so that its migrations stay apart;
/// the model itself is shared and provider-neutral (UTC DateTime instants, decimals with explicit precision).
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Features.Auth.User> Users => Set<Features.Auth.User>();
    public DbSet<Features.Auth.RefreshToken> RefreshTokens => Set<Features.Auth.RefreshToken>();
    public DbSet<Features.Trades.Holding> Holdings => Set<Features.Trades.Holding>();
    public DbSet<Features.Trades.StockTransaction> Transactions => Set<Features.Trades.StockTransaction>();
    public DbSet<Features.Trades.CashAccount> CashAccounts => Set<Features.Trades.CashAccount>();
    public DbSet<Features.Trades.PendingTrade> PendingTrades => Set<Features.Trades.PendingTrade>();
    public DbSet<Features.Trades.IdempotencyRecord> IdempotencyRecords => Set<Features.Trades.IdempotencyRecord>();
    public DbSet<Features.MarketData.ApiCallLog> ApiCallLogs => Set<Features.MarketData.ApiCallLog>();
    public DbSet<Features.MarketData.DailyPrice> DailyPrices => Set<Features.MarketData.DailyPrice>();
    public DbSet<Features.MarketData.StockInfoRow> StockInfo => Set<Features.MarketData.StockInfoRow>();
    public DbSet<Features.Snapshots.DailySnapshot> DailySnapshots => Set<Features.Snapshots.DailySnapshot>();
    public DbSet<Features.Snapshots.IntradaySnapshot> IntradaySnapshots => Set<Features.Snapshots.IntradaySnapshot>();
    public DbSet<Features.Snapshots.IntradayPrice> IntradayPrices => Set<Features.Snapshots.IntradayPrice>();
    public DbSet<Features.Snapshots.JobRun> JobRuns => Set<Features.Snapshots.JobRun>();
    public DbSet<Features.Leaderboard.LeaderboardEntry> LeaderboardEntries => Set<Features.Leaderboard.LeaderboardEntry>();
    public DbSet<Features.Leaderboard.LeaderboardPeriod> LeaderboardPeriods => Set<Features.Leaderboard.LeaderboardPeriod>();
    public DbSet<Features.Events.OutboxMessage> OutboxMessages => Set<Features.Events.OutboxMessage>();
    public DbSet<Features.Events.ProcessedEvent> ProcessedEvents => Set<Features.Events.ProcessedEvent>();
    public DbSet<Features.Events.TradeCount> TradeCounts => Set<Features.Events.TradeCount>();

    public DbSet<Features.Subscriptions.Subscription> Subscriptions => Set<Features.Subscriptions.Subscription>();
    public DbSet<Features.Notifications.DeviceToken> DeviceTokens => Set<Features.Notifications.DeviceToken>();
    public DbSet<Features.Notifications.NotificationSettings> NotificationSettings => Set<Features.Notifications.NotificationSettings>();
    public DbSet<Features.Notifications.Notification> Notifications => Set<Features.Notifications.Notification>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite hands DateTime back as Unspecified; every instant we store is UTC, so say so on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}

public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options);

public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options);

/// <summary>Column precisions used across the model, so money is never stored as floating point.</summary>
public static class Precision
{
    /// <summary>Cash and order totals: whole cents.</summary>
    public const int MoneyPrecision = 18, MoneyScale = 2;
    /// <summary>Prices as vendors quote them (four decimals).</summary>
    public const int PricePrecision = 18, PriceScale = 4;
    /// <summary>Share quantities: fractional down to a millionth; average costs at the same scale.</summary>
    public const int QuantityPrecision = 18, QuantityScale = 6;
}

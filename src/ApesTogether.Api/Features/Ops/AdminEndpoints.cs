using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Trades;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Ops;

public sealed record PoolStatistics(int InUseByThisProcess, long OpenedByThisProcess, int MinSize, int MaxSize,
    int? ServerActive, int? ServerIdle, int? ServerIdleInTransaction);

public sealed record MarketDataStatistics(string Provider, int Keys, int ApiCallsLastMinute, int ApiCallsPerMinuteLimit,
    string? BreakerState, long Failovers, QuoteCacheStats QuoteCache);

/// <summary>Events: the outbox (pending, dead) and, with RabbitMQ, each consumer queue's depth and dead letters (null when the
/// broker could not be asked).</summary>
public sealed record OutboxStatistics(string Transport, int Pending, int Dead, IReadOnlyList<Events.QueueDepth>? Queues);

public sealed record HealthMetricsResponse(string DatabaseProvider, int DbConnections, int DbConnectionLimit, decimal DbConnectionPercent,
    PoolStatistics Pool, int NotificationsToday, int ApiCallsToday, int ApiCallsLimit, MarketDataStatistics MarketData, OutboxStatistics Outbox,
    IReadOnlyList<string> Warnings);

public static class AdminEndpoints
{
    /// <summary>The decision matrix's database rows: 15 of 20 connections warns (75 %), 18 of 20 calls for action (90 %).</summary>
    public const decimal ConnectionWarningPercent = 75m, ConnectionActionPercent = 90m;

    /// <summary>The decision matrix's AlphaVantage row: 120 of 150 calls/min warns (80 %), 140 of 150 calls for action (≈ 93 %).</summary>
    public const decimal ApiCallsWarningPercent = 80m, ApiCallsActionPercent = 140m / 150m * 100m;

    /// <summary>The guide's daily call limit when no per-day budget is set: the per-minute budget over 8 market hours.</summary>
    public const int MarketMinutesPerDay = 60 * 8;

    public static IHostApplicationBuilder AddOps(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LedgerReconciler>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Operators").RequireAuthorization(AuthOptions.AdminPolicy);
        admin.MapGet("/metrics/health", HealthMetrics);
        admin.MapPost("/ledger/reconcile", Reconcile);
        return app;
    }

    static async Task<Ok<HealthMetricsResponse>> HealthMetrics(AppDbContext db, ConnectionCounter counter,
        IOptions<DatabaseOptions> options, IOptions<MarketDataOptions> marketData, ApiKeyPool keys, QuoteSource quotes,
        CircuitBreaker breaker, IServiceProvider services, TimeProvider clock, CancellationToken ct)
    {
        var pool = options.Value.Pool;
        int connections;
        int? active = null, idle = null, idleInTx = null;
        if (db.Database.IsNpgsql())
        {
            var rows = await db.Database.SqlQuery<ActivityRow>(
                $"SELECT coalesce(state, 'unknown') AS \"State\", count(*)::int AS \"Count\" FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1")
                .ToListAsync(ct);
            connections = rows.Sum(r => r.Count);
            active = rows.Where(r => r.State == "active").Sum(r => r.Count);
            idle = rows.Where(r => r.State == "idle").Sum(r => r.Count);
            idleInTx = rows.Where(r => r.State.StartsWith("idle in transaction", StringComparison.Ordinal)).Sum(r => r.Count);
        }
        else
        {
            // SQLite has no server to ask; what this process holds open is the whole story.
            connections = counter.Open;
        }
        var percent = pool.MaxSize == 0 ? 0m : decimal.Round(connections * 100m / pool.MaxSize, 1);
        var warnings = new List<string>();
        if (percent >= ConnectionActionPercent)
        {
            warnings.Add($"Database connections at {percent} % of {pool.MaxSize} (≥ {ConnectionActionPercent} %): upgrade the PostgreSQL plan or add a pooler now.");
        }
        else if (percent >= ConnectionWarningPercent)
        {
            warnings.Add($"Database connections at {percent} % of {pool.MaxSize} (≥ {ConnectionWarningPercent} %): consider upgrading the PostgreSQL plan.");
        }

        var dayStart = clock.GetUtcNow().UtcDateTime.Date;
        var callsToday = await db.ApiCallLogs.CountAsync(l => l.Provider == AlphaVantageQuoteProvider.ProviderName && l.At >= dayStart, ct);
        var perMinuteLimit = Math.Max(1, keys.KeyCount) * marketData.Value.AlphaVantage.CallsPerMinute;
        var callsLimit = keys.CapacityPerDay ?? perMinuteLimit * MarketMinutesPerDay;
        var lastMinute = keys.CallsInLastMinute();
        var callPercent = lastMinute * 100m / perMinuteLimit;
        if (callPercent >= ApiCallsActionPercent)
        {
            warnings.Add($"AlphaVantage at {lastMinute} calls/min of {perMinuteLimit}: add a key now.");
        }
        else if (callPercent >= ApiCallsWarningPercent)
        {
            warnings.Add($"AlphaVantage at {lastMinute} calls/min of {perMinuteLimit}: plan another key.");
        }
        var usesBreaker = marketData.Value.Provider == QuoteProviderKind.AlphaVantage && marketData.Value.Fallback != FallbackKind.None;
        if (usesBreaker && breaker.State != BreakerState.Closed)
        {
            warnings.Add($"AlphaVantage breaker is {breaker.State.ToString().ToLowerInvariant()}: quotes come from the fallback.");
        }
        var notificationsToday = await db.Notifications.CountAsync(n => n.Status == Notifications.NotificationStatus.Sent && n.SentAt >= dayStart, ct);
        var outboxPending = await db.OutboxMessages.CountAsync(m => m.Status == Events.OutboxStatus.Pending, ct);
        var outboxDead = await db.OutboxMessages.CountAsync(m => m.Status == Events.OutboxStatus.Dead, ct);
        if (outboxDead > 0)
        {
            warnings.Add($"{outboxDead} events were dead-lettered after repeated delivery failures.");
        }
        var broker = services.GetService<Events.RabbitMqBroker>();
        IReadOnlyList<Events.QueueDepth>? queues = null;
        if (broker is not null)
        {
            try
            {
                queues = await broker.DepthsAsync(ct);
                foreach (var q in queues.Where(q => q.DeadLettered > 0))
                {
                    warnings.Add($"{q.DeadLettered} events were dead-lettered in RabbitMQ for {q.Queue} after repeated delivery failures.");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                warnings.Add($"RabbitMQ could not be asked for queue depths: {ex.Message}");
            }
        }
        var cache = quotes.Stats;
        var market = new MarketDataStatistics(quotes.ProviderName, keys.KeyCount, lastMinute, perMinuteLimit,
            usesBreaker ? breaker.State.ToString().ToLowerInvariant() : null, breaker.Failovers, cache);

        return TypedResults.Ok(new HealthMetricsResponse(db.Database.IsNpgsql() ? "postgres" : "sqlite", connections, pool.MaxSize, percent,
            new PoolStatistics(counter.Open, counter.OpenedTotal, pool.MinSize, pool.MaxSize, active, idle, idleInTx),
            notificationsToday, callsToday, callsLimit, market, new OutboxStatistics(broker is null ? Events.MessagingOptions.InProcess : Events.MessagingOptions.RabbitMq, outboxPending, outboxDead, queues), warnings));
    }

    sealed record ActivityRow(string State, int Count);

    static async Task<Results<Ok<ReconciliationReport>, ProblemHttpResult>> Reconcile(
        string? username, bool? repair, AppDbContext db, LedgerReconciler reconciler, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(username))
        {
            return TypedResults.Ok(await reconciler.ReconcileAllAsync(repair ?? false, ct));
        }
        var normalized = username.Trim().ToLowerInvariant();
        var userId = await db.Users.Where(u => u.NormalizedUsername == normalized).Select(u => (long?)u.Id).SingleOrDefaultAsync(ct);
        if (userId is null)
        {
            return ApiProblem.NotFound(ErrorCodes.UserNotFound, "No such user.");
        }
        var result = await reconciler.ReconcileUserAsync(userId.Value, repair ?? false, ct);
        return TypedResults.Ok(new ReconciliationReport(1, result.HasDrift ? 1 : 0, (repair ?? false) && result.HasDrift,
            result.HasDrift ? [result] : []));
    }
}

using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.Trades;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Ops;

public sealed record PoolStatistics(int InUseByThisProcess, long OpenedByThisProcess, int MinSize, int MaxSize,
    int? ServerActive, int? ServerIdle, int? ServerIdleInTransaction);

public sealed record HealthMetricsResponse(string DatabaseProvider, int DbConnections, int DbConnectionLimit, decimal DbConnectionPercent,
    PoolStatistics Pool, IReadOnlyList<string> Warnings);

public static class AdminEndpoints
{
    /// <summary>The decision matrix's database rows: 15 of 20 connections warns (75 %), 18 of 20 calls for action (90 %).</summary>
    public const decimal ConnectionWarningPercent = 75m, ConnectionActionPercent = 90m;

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
        IOptions<DatabaseOptions> options, CancellationToken ct)
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
        return TypedResults.Ok(new HealthMetricsResponse(db.Database.IsNpgsql() ? "postgres" : "sqlite", connections, pool.MaxSize, percent,
            new PoolStatistics(counter.Open, counter.OpenedTotal, pool.MinSize, pool.MaxSize, active, idle, idleInTx), warnings));
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

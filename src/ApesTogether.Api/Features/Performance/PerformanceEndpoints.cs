using ApesTogether.Api.Data;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Performance;

public sealed record ChartBenchmark(string Ticker, decimal? ReturnPct);

public sealed record ChartPoint(DateTimeOffset T, decimal ReturnPct, decimal? BenchmarkReturnPct);

public sealed record ChartResponse(string Period, decimal? ReturnPct, ChartBenchmark Benchmark, IReadOnlyList<ChartPoint> Points);

public static class PerformanceEndpoints
{
    public const Period DefaultPeriod = Period.SevenDays;

    public static IHostApplicationBuilder AddPerformance(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PerformanceOptions>().BindConfiguration(PerformanceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<PerformanceService>();
        builder.Services.AddSingleton<PerformanceSummaryCache>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPerformance(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/portfolio/{username}/chart", Chart).WithTags("Portfolios");
        return app;
    }

    static async Task<Results<Ok<ChartResponse>, ProblemHttpResult>> Chart(
        string username, string? period, AppDbContext db, PerformanceService performance, CancellationToken ct)
    {
        var chosen = DefaultPeriod;
        if (period is not null && !PeriodNames.TryParse(period, out chosen))
        {
            return ApiProblem.Of(StatusCodes.Status400BadRequest, ErrorCodes.InvalidPeriod, "Unknown period.",
                "The period must be one of 1D, 5D, 7D, 1M, 3M, YTD, 1Y, MAX.");
        }

        var normalized = username.Trim().ToLowerInvariant();
        var userId = normalized.Length is 0 or > 30
            ? null
            : await db.Users.AsNoTracking().Where(u => u.NormalizedUsername == normalized).Select(u => (long?)u.Id).SingleOrDefaultAsync(ct);
        if (userId is not { } id)
        {
            return ApiProblem.NotFound(ErrorCodes.UserNotFound, "No such user.");
        }

        var result = await performance.GetAsync(id, chosen, ct);
        var name = chosen.ToApiKey().ToUpperInvariant();
        if (result is null)
        {
            return TypedResults.Ok(new ChartResponse(name, null, new ChartBenchmark(PerformanceService.BenchmarkTicker, null), []));
        }

        var points = DownSampling.Evenly(result.Points)
            .Select(p => new ChartPoint(p.At, Returns.ToPercent(p.Return), Percent(p.BenchmarkReturn)))
            .ToList();
        return TypedResults.Ok(new ChartResponse(
            name,
            Returns.ToPercent(result.Return),
            new ChartBenchmark(PerformanceService.BenchmarkTicker, Percent(result.BenchmarkReturn)),
            points));
    }

    internal static decimal? Percent(decimal? fraction) => fraction is { } f ? Returns.ToPercent(f) : null;
}

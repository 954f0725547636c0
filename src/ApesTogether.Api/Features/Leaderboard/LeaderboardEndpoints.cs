using System.Globalization;
using System.Text.Json;
using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Leaderboard;

public sealed record LeaderboardBenchmarkReturn(string Ticker, decimal? ReturnPct);

public sealed record LeaderboardEntryView(
    int Rank,
    int? RankChange,
    string Username,
    string? DisplayName,
    bool IsAgent,
    decimal ReturnPct,
    decimal AlphaPct,
    decimal? MaxDrawdownPct,
    decimal? VolatilityPct,
    int SubscriberCount,
    decimal AvgTradesPerWeek,
    IReadOnlyList<decimal> Sparkline);

public sealed record LeaderboardResponse(
    string Period,
    string Category,
    DateTime? AsOf,
    int Total,
    LeaderboardBenchmarkReturn Benchmark,
    IReadOnlyList<LeaderboardEntryView> Entries);

/// <summary>The filters of one request, validated.</summary>
public sealed record LeaderboardQuery(Period Period, int Limit, int Offset, string Category, IReadOnlySet<string> Industries, string Frequency, bool IncludeAgents)
{
    /// <summary>Equal for queries that get the same answer from the same board.</summary>
    public string CacheKey => string.Create(CultureInfo.InvariantCulture,
        $"{Period}|{Limit}|{Offset}|{Category}|{string.Join(',', Industries.Select(i => i.ToUpperInvariant()).Order(StringComparer.Ordinal))}|{Frequency}|{IncludeAgents}");
}

public static class LeaderboardEndpoints
{
    public const Period DefaultPeriod = Period.SevenDays;
    public const decimal LargeCapMajorityPct = 50m;
    public const decimal DayTraderTradesPerWeek = 5m;
    public const decimal ModerateTradesPerWeek = 0.5m;

    public static IHostApplicationBuilder AddLeaderboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LeaderboardBuilder>();
        builder.Services.AddSingleton<LeaderboardCache>();
        builder.Services.AddSingleton<Events.IEventConsumer, LeaderboardActivityConsumer>();
        return builder;
    }

    public static IEndpointRouteBuilder MapLeaderboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/leaderboard", Get).WithTags("Leaderboard").AllowAnonymous();
        return app;
    }

    static async Task<Results<SerializedJson<LeaderboardResponse>, ProblemHttpResult>> Get(
        HttpContext http, LeaderboardCache cache, IOptions<JsonOptions> json, string? period, string? limit, string? offset, string? category,
        string? industry, string? frequency, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "include_agents")] string? includeAgents, CancellationToken ct)
    {
        var chosen = DefaultPeriod;
        if (period is not null && !PeriodNames.TryParse(period, out chosen))
        {
            return ApiProblem.Of(StatusCodes.Status400BadRequest, ErrorCodes.InvalidPeriod, "Unknown period.",
                "The period must be one of 1D, 5D, 7D, 1M, 3M, YTD, 1Y, MAX.");
        }
        if (Parse(chosen, limit, offset, category, industry, frequency, includeAgents) is not { } query)
        {
            return Invalid(limit, offset, category, industry, frequency, includeAgents);
        }

        var board = await cache.GetAsync(chosen, ct);
        http.Response.Headers.CacheControl = "public, max-age=60";
        return board.Response(query, () =>
        {
            var (total, page) = Rank(board.Entries, query);
            return new LeaderboardResponse(
                LeaderboardBuilder.Key(chosen),
                query.Category,
                board.Period?.AsOf,
                total,
                new LeaderboardBenchmarkReturn(PerformanceService.BenchmarkTicker, board.Period?.BenchmarkReturnPct),
                page);
        }, json.Value.SerializerOptions);
    }

    /// <summary>
    /// Filters the whole field, then ranks: rank by return within the filtered set (the entries come sorted by return
    /// descending, ties by user id), rank_change against the same filtered set ranked by the previous day's return (users
    /// without a previous return are not counted there, and get null), then the page.
    /// </summary>
    public static (int Total, IReadOnlyList<LeaderboardEntryView> Page) Rank(IReadOnlyList<LeaderboardEntry> entries, LeaderboardQuery query)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(query);
        var filtered = entries.Where(e => Matches(e, query)).ToList();
        var previous = filtered.Where(e => e.PreviousReturnPct is not null)
            .OrderByDescending(e => e.PreviousReturnPct).ThenBy(e => e.UserId)
            .Select((e, index) => (e.UserId, Rank: index + 1))
            .ToDictionary(x => x.UserId, x => x.Rank);

        var page = new List<LeaderboardEntryView>(Math.Min(query.Limit, Math.Max(0, filtered.Count - query.Offset)));
        for (var k = query.Offset; k < filtered.Count && page.Count < query.Limit; k++)
        {
            var e = filtered[k];
            var rank = k + 1;
            int? change = previous.TryGetValue(e.UserId, out var before) ? before - rank : null;
            page.Add(new LeaderboardEntryView(rank, change, e.Username, e.DisplayName, e.IsAgent, e.ReturnPct, e.AlphaPct,
                e.MaxDrawdownPct, e.VolatilityPct, e.SubscriberCount, e.AvgTradesPerWeek,
                JsonSerializer.Deserialize<decimal[]>(e.Sparkline) ?? []));
        }
        return (filtered.Count, page);
    }

    static bool Matches(LeaderboardEntry e, LeaderboardQuery q)
    {
        if (!q.IncludeAgents && e.IsAgent)
            return false;
        var categoryOk = q.Category switch
        {
            "large_cap" => e.LargeCapPct >= LargeCapMajorityPct,
            // −1 (no holding with a known cap) is neither small nor large.
            "small_cap" => e.LargeCapPct >= 0m && e.LargeCapPct < LargeCapMajorityPct,
            _ => true,
        };
        if (!categoryOk)
            return false;
        var frequencyOk = q.Frequency switch
        {
            "day_trader" => e.AvgTradesPerWeek >= DayTraderTradesPerWeek,
            "moderate" => e.AvgTradesPerWeek >= ModerateTradesPerWeek && e.AvgTradesPerWeek < DayTraderTradesPerWeek,
            _ => true,
        };
        if (!frequencyOk)
            return false;
        return q.Industries.Count == 0 || e.Sectors.Split('|').Any(q.Industries.Contains);
    }

    static readonly string[] Categories = ["all", "small_cap", "large_cap"];
    static readonly string[] Frequencies = ["any", "day_trader", "moderate"];
    const int MaxIndustries = 20;

    static LeaderboardQuery? Parse(Period period, string? limit, string? offset, string? category, string? industry, string? frequency, string? includeAgents)
    {
        if ((LimitError(limit) ?? OffsetError(offset) ?? CategoryError(category) ?? IndustryError(industry) ?? FrequencyError(frequency)
            ?? IncludeAgentsError(includeAgents)) is not null)
            return null;
        var industries = string.IsNullOrWhiteSpace(industry)
            ? new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            : industry.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new LeaderboardQuery(
            period,
            limit is null ? 20 : int.Parse(limit, NumberStyles.None, CultureInfo.InvariantCulture),
            offset is null ? 0 : int.Parse(offset, NumberStyles.None, CultureInfo.InvariantCulture),
            category?.ToLowerInvariant() ?? "all",
            industries,
            frequency?.ToLowerInvariant() ?? "any",
            includeAgents is null || bool.Parse(includeAgents));
    }

    static ProblemHttpResult Invalid(string? limit, string? offset, string? category, string? industry, string? frequency, string? includeAgents)
    {
        var (field, message) = LimitError(limit) is { } l ? ("limit", l)
            : OffsetError(offset) is { } o ? ("offset", o)
            : CategoryError(category) is { } c ? ("category", c)
            : IndustryError(industry) is { } i ? ("industry", i)
            : FrequencyError(frequency) is { } f ? ("frequency", f)
            : ("include_agents", IncludeAgentsError(includeAgents)!);
        return ApiProblem.Validation(field, message);
    }

    static string? LimitError(string? limit) =>
        limit is null || (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100)
            ? null : "The limit must be a whole number from 1 to 100.";

    static string? OffsetError(string? offset) =>
        offset is null || int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? null : "The offset must be a whole number ≥ 0.";

    static string? CategoryError(string? category) =>
        category is null || Categories.Contains(category, StringComparer.OrdinalIgnoreCase)
            ? null : "The category must be one of all, small_cap, large_cap.";

    static string? FrequencyError(string? frequency) =>
        frequency is null || Frequencies.Contains(frequency, StringComparer.OrdinalIgnoreCase)
            ? null : "The frequency must be one of any, day_trader, moderate.";

    static string? IncludeAgentsError(string? includeAgents) =>
        includeAgents is null || bool.TryParse(includeAgents, out _) ? null : "include_agents must be true or false.";

    static string? IndustryError(string? industry)
    {
        if (industry is null)
            return null;
        var names = industry.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.Length <= MaxIndustries && names.All(n => n.Length <= 100 && PlainTextAttribute.IsPlain(n))
            ? null : $"At most {MaxIndustries} comma-separated sector names of up to 100 characters.";
    }
}

using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Performance;

public sealed class PerformanceOptions
{
    public const string Section = "Performance";

    /// <summary>Annual risk-free rate as a fraction (0.04 = 4 %), used by the Sharpe ratio.</summary>
    [Infrastructure.DecimalRange("-0.5", "1")]
    public decimal RiskFreeRate { get; set; }

    /// <summary>How long a user's performance summary is reused by the public portfolio (snapshots change every 15 minutes).</summary>
    [Infrastructure.TimeSpanRange("00:00:00", "00:15:00")]
    public TimeSpan SummaryCacheLifetime { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// What the performance figures of one user are computed from, loaded once: daily closes, 15-minute snapshots,
/// the capital flows from the ledger, and SPY's closes (by exchange date) and intraday prices (by instant).
/// </summary>
public sealed record PerformanceHistory(
    IReadOnlyList<ValuationPoint> Daily,
    IReadOnlyList<ValuationPoint> Intraday,
    IReadOnlyList<CapitalFlow> Flows,
    IReadOnlyDictionary<DateOnly, decimal> SpyCloses,
    IReadOnlyDictionary<DateTimeOffset, decimal> SpyIntraday)
{
    IReadOnlyList<SubPeriodReturn>? _dailySubPeriods;

    /// <summary>
    /// The Modified Dietz return of every pair of consecutive daily closes (sub-period k spans Daily[k] → Daily[k + 1]),
    /// computed once: a sub-period's return does not depend on the window it is part of, so every daily period
    /// (1M … MAX, and their values as of yesterday) chains a slice of this one list.
    /// </summary>
    public IReadOnlyList<SubPeriodReturn> DailySubPeriods(MarketCalendar calendar) =>
        _dailySubPeriods ??= TimeWeightedReturn.SubPeriods(Daily, Flows, calendar);

    decimal?[]? _dailySpy;

    /// <summary>SPY's close on the date of each daily point (null where none is recorded), looked up once.</summary>
    public IReadOnlyList<decimal?> DailySpyCloses() =>
        _dailySpy ??= [.. Daily.Select(p => SpyCloses.TryGetValue(MarketCalendar.ExchangeDate(p.At), out var close) ? close : (decimal?)null)];

    /// <summary>The history as it stood at an instant: points up to it, sharing what was already computed.</summary>
    public PerformanceHistory UpTo(DateTimeOffset instant)
    {
        var daily = Daily.TakeWhile(p => p.At <= instant).ToList();
        return new PerformanceHistory(daily, [.. Intraday.TakeWhile(p => p.At <= instant)], Flows, SpyCloses, SpyIntraday)
        {
            _dailySubPeriods = _dailySubPeriods is { } all ? all.Take(Math.Max(0, daily.Count - 1)).ToList() : null,
            _dailySpy = _dailySpy?[..daily.Count],
        };
    }
}

/// <summary>One point of a period's return line; returns are fractions from the first point of the period.</summary>
public sealed record PerformancePoint(DateTimeOffset At, decimal Return, decimal? BenchmarkReturn);

/// <summary>
/// A period's figures (fractions): the time-weighted return, SPY's return over the same instants and the excess over
/// it, the simple return since inception at the latest point, risk figures (1M and longer) and the return line.
/// </summary>
public sealed record PerformanceResult(
    Period Period,
    DateTimeOffset Start,
    decimal Return,
    decimal? BenchmarkReturn,
    decimal? Alpha,
    decimal SinceInception,
    RiskFigures? Risk,
    IReadOnlyList<PerformancePoint> Points);

/// <summary>Every period at once (null where the history is too short), and since-inception at the latest snapshot.</summary>
public sealed record PerformanceSummary(IReadOnlyDictionary<Period, PerformanceResult?> Periods, decimal? SinceInception);

/// <summary>
/// Reads a user's snapshots, ledger flows and SPY prices (never writes) and turns them into period returns. Loading
/// and computing are separate, so a page that shows every period loads once (≤ 4 queries) and computes in memory.
/// </summary>
public sealed class PerformanceService(AppDbContext db, MarketCalendar calendar, TimeProvider clock, IOptions<PerformanceOptions> options)
{
    public const string BenchmarkTicker = "SPY";

    /// <summary>One period's figures at the current time; null when there are fewer than two points.</summary>
    public async Task<PerformanceResult?> GetAsync(long userId, Period period, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var history = await LoadAsync(userId, [period], now, ct);
        return Compute(history, period, now);
    }

    /// <summary>Every period from one load.</summary>
    public async Task<PerformanceSummary> GetAllAsync(long userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var history = await LoadAsync(userId, PeriodNames.All, now, ct);
        return Summarise(history, now);
    }

    /// <summary>Every period computed in memory from a history that covers them all (see <see cref="LoadAsync"/>).</summary>
    public PerformanceSummary Summarise(PerformanceHistory history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(history);
        var periods = PeriodNames.All.ToDictionary(p => p, p => Compute(history, p, now));
        var latest = history.Daily.Concat(history.Intraday).MaxBy(p => p.At);
        decimal? sinceInception = latest is null ? null : Returns.SinceInception(latest.Value, latest.CapitalDeployed);
        return new PerformanceSummary(periods, sinceInception);
    }

    /// <summary>
    /// Loads what <paramref name="periods"/> need at <paramref name="now"/>, in at most four queries: the snapshots
    /// (daily and intraday in one), the ledger's capital deployed after each trade, SPY's closes and SPY's intraday prices.
    /// </summary>
    public async Task<PerformanceHistory> LoadAsync(long userId, IReadOnlyCollection<Period> periods, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(periods);
        if (periods.Count == 0)
            throw new ArgumentException("At least one period is needed.", nameof(periods));

        var starts = periods.ToDictionary(p => p, p => PeriodWindow.Start(p, now, calendar));
        var earliest = starts.Values.Min();
        // Max starts at the beginning of time: no lower bound at all rather than a sentinel the database may not like.
        DateTime? from = earliest == DateTimeOffset.MinValue ? null : earliest.UtcDateTime;
        var dailyStarts = periods.Where(p => !PeriodWindow.UsesIntraday(p)).Select(p => starts[p]).ToList();
        var intradayStarts = periods.Where(PeriodWindow.UsesIntraday).Select(p => starts[p]).ToList();

        // Daily closes: from the earliest daily window (which precedes every intraday one), or only the closes the
        // intraday windows start at.
        IQueryable<Snapshots.DailySnapshot> dailyQuery = db.DailySnapshots.Where(s => s.UserId == userId);
        if (dailyStarts.Count > 0)
        {
            if (from is { } f)
                dailyQuery = dailyQuery.Where(s => s.At >= f);
        }
        else
        {
            var instants = intradayStarts.Select(s => s.UtcDateTime).Distinct().ToList();
            dailyQuery = dailyQuery.Where(s => instants.Contains(s.At));
        }

        var rows = dailyQuery.Select(s => new { s.At, s.TotalValue, s.CapitalDeployed, Daily = true });
        DateTime? intradayFrom = intradayStarts.Count > 0 ? intradayStarts.Min().UtcDateTime : null;
        if (intradayFrom is { } i)
        {
            rows = rows.Concat(db.IntradaySnapshots.Where(s => s.UserId == userId && s.At >= i)
                .Select(s => new { s.At, s.TotalValue, s.CapitalDeployed, Daily = false }));
        }

        var snapshots = await rows.AsNoTracking().ToListAsync(ct);
        var daily = snapshots.Where(s => s.Daily).Select(s => new ValuationPoint(Instant(s.At), s.TotalValue, s.CapitalDeployed))
            .OrderBy(p => p.At).ToList();
        var intraday = snapshots.Where(s => !s.Daily).Select(s => new ValuationPoint(Instant(s.At), s.TotalValue, s.CapitalDeployed))
            .OrderBy(p => p.At).ToList();

        var flows = await LoadFlowsAsync(userId, from, ct);

        // SPY closes from the first exchange date any window can start on; for Max, from the user's first close.
        var spyCloseQuery = db.DailyPrices.AsNoTracking().Where(p => p.Ticker == BenchmarkTicker);
        if (from is { })
        {
            var firstDate = MarketCalendar.ExchangeDate(earliest);
            spyCloseQuery = spyCloseQuery.Where(p => p.Date >= firstDate);
        }
        else
        {
            spyCloseQuery = spyCloseQuery.Where(p => p.Date >= db.DailySnapshots.Where(s => s.UserId == userId).Min(s => (DateOnly?)s.Date));
        }
        var spyCloses = (await spyCloseQuery.Select(p => new { p.Date, p.Close }).ToListAsync(ct))
            .ToDictionary(p => p.Date, p => p.Close);

        var spyIntraday = new Dictionary<DateTimeOffset, decimal>();
        if (intradayFrom is { } start)
        {
            var prices = await db.IntradayPrices.AsNoTracking()
                .Where(p => p.Ticker == BenchmarkTicker && p.At >= start)
                .Select(p => new { p.At, p.Price })
                .ToListAsync(ct);
            foreach (var price in prices)
                spyIntraday[Instant(price.At)] = price.Price;
        }

        return new PerformanceHistory(daily, intraday, flows, spyCloses, spyIntraday);
    }

    /// <summary>
    /// One period's figures from a loaded history; null with fewer than two points, because a return needs a start and an
    /// end and a made-up 0 would rank alongside real ones.
    /// </summary>
    /// <remarks>
    /// With <paramref name="returnOnly"/> only the return (and since-inception) is computed: no SPY line, risk figures or
    /// points. The leaderboard's "as of yesterday" figures need nothing else, and decimal arithmetic is its hot path.
    /// </remarks>
    public PerformanceResult? Compute(PerformanceHistory history, Period period, DateTimeOffset now, bool returnOnly = false)
    {
        ArgumentNullException.ThrowIfNull(history);
        var start = PeriodWindow.Start(period, now, calendar);
        var series = Series(history, period, start);
        if (series.Count < 2)
            return null;

        var subPeriods = PeriodWindow.UsesIntraday(period)
            ? TimeWeightedReturn.SubPeriods(series.Select(s => s.Point), history.Flows, calendar)
            : Slice(history.DailySubPeriods(calendar), history.Daily.Count - series.Count);
        var growth = 1m;
        var index = new List<decimal>(series.Count) { 0m };
        foreach (var subPeriod in subPeriods)
        {
            growth *= 1m + subPeriod.Return;
            index.Add(growth - 1m);
        }
        var twr = growth - 1m;
        var latest = series[^1].Point;
        if (returnOnly)
            return new PerformanceResult(period, start, twr, null, null, Returns.SinceInception(latest.Value, latest.CapitalDeployed), null, []);

        var benchmark = BenchmarkLine(history, series, PeriodWindow.UsesIntraday(period) ? null : history.Daily.Count - series.Count);
        var points = series.Select((s, k) => new PerformancePoint(s.Point.At, index[k], benchmark[k])).ToList();
        var benchmarkReturn = benchmark[^1];
        var risk = PeriodWindow.UsesIntraday(period)
            ? null
            : RiskFigures.From([.. subPeriods.Select(s => s.Return)], options.Value.RiskFreeRate);

        return new PerformanceResult(
            period,
            start,
            twr,
            benchmarkReturn,
            benchmarkReturn is { } b ? RiskFigures.Alpha(twr, b) : null,
            Returns.SinceInception(latest.Value, latest.CapitalDeployed),
            risk,
            points);
    }

    /// <summary>The daily sub-periods from the series' first point on (the series is a suffix of the daily closes).</summary>
    static IReadOnlyList<SubPeriodReturn> Slice(IReadOnlyList<SubPeriodReturn> all, int firstPoint)
    {
        var slice = new SubPeriodReturn[all.Count - firstPoint];
        for (var k = 0; k < slice.Length; k++)
            slice[k] = all[firstPoint + k];
        return slice;
    }

    /// <summary>
    /// Short periods: the daily close the window starts at (when there is one) and then the intraday snapshots after it;
    /// the daily row wins over an intraday one at the same close because it is priced at the official close.
    /// Longer periods: the daily closes from the window start.
    /// </summary>
    static List<(ValuationPoint Point, bool Daily)> Series(PerformanceHistory history, Period period, DateTimeOffset start)
    {
        if (!PeriodWindow.UsesIntraday(period))
            return [.. history.Daily.Where(p => p.At >= start).Select(p => (p, true))];

        var series = new List<(ValuationPoint, bool)>();
        var opening = history.Daily.FirstOrDefault(p => p.At == start);
        if (opening is not null)
            series.Add((opening, true));
        series.AddRange(history.Intraday.Where(p => opening is null ? p.At >= start : p.At > start).Select(p => (p, false)));
        return series;
    }

    /// <summary>
    /// SPY's return at each point from the first point's price: the close of the date for a daily point, the captured
    /// price for an intraday one, the previous price carried when one is missing. Null until a first price is known.
    /// </summary>
    static decimal?[] BenchmarkLine(PerformanceHistory history, List<(ValuationPoint Point, bool Daily)> series, int? firstDailyPoint)
    {
        var line = new decimal?[series.Count];
        var dailyCloses = firstDailyPoint is not null ? history.DailySpyCloses() : null;
        decimal? basePrice = null;
        decimal? last = null;
        for (var k = 0; k < series.Count; k++)
        {
            var (point, isDaily) = series[k];
            decimal? price = null;
            if (dailyCloses is not null)
                price = dailyCloses[firstDailyPoint!.Value + k];
            else if (isDaily && history.SpyCloses.TryGetValue(MarketCalendar.ExchangeDate(point.At), out var close))
                price = close;
            else if (history.SpyIntraday.TryGetValue(point.At, out var intraday))
                price = intraday;

            last = price ?? last;
            basePrice ??= last;
            line[k] = last is { } p && basePrice is { } b && b != 0m ? p / b - 1m : null;
        }

        return line;
    }

    /// <summary>
    /// Capital flows: each increase of capital deployed from one trade to the next, at the trade's instant; the user's first
    /// trade brings in all of its capital deployed. From <paramref name="from"/>, plus the trade just before it, whose
    /// capital deployed is the base of the first increase inside the window.
    /// </summary>
    async Task<List<CapitalFlow>> LoadFlowsAsync(long userId, DateTime? from, CancellationToken ct)
    {
        var query = db.Transactions.AsNoTracking().Where(t => t.UserId == userId);
        if (from is { } f)
        {
            query = query.Where(t => t.ExecutedAt >= (db.Transactions
                .Where(p => p.UserId == userId && p.ExecutedAt < f)
                .Max(p => (DateTime?)p.ExecutedAt) ?? f));
        }

        var trades = await query
            .OrderBy(t => t.ExecutedAt).ThenBy(t => t.Id)
            .Select(t => new { t.ExecutedAt, t.CapitalDeployedAfter })
            .ToListAsync(ct);
        // The first row is either the user's first trade (a flow of everything it deployed) or the one before the window,
        // whose flow falls before every point of the window and is ignored by the return.
        return FlowsFromLedger(trades.Select(t => (t.ExecutedAt, t.CapitalDeployedAfter)), capitalBefore: null);
    }

    /// <summary>
    /// Capital flows from ledger rows in execution order (instant, capital deployed after the trade): each increase over
    /// the highest capital deployed so far is a flow at the trade's instant. <paramref name="capitalBefore"/> is the capital
    /// deployed before the first row (null: the first row is the user's first trade and brings all of its capital).
    /// </summary>
    public static List<CapitalFlow> FlowsFromLedger(IEnumerable<(DateTime ExecutedAt, decimal CapitalDeployedAfter)> trades, decimal? capitalBefore)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var flows = new List<CapitalFlow>();
        var previous = capitalBefore;
        foreach (var (executedAt, capitalAfter) in trades)
        {
            var amount = capitalAfter - (previous ?? 0m);
            if (amount > 0m)
                flows.Add(new CapitalFlow(Instant(executedAt), amount));
            previous = previous is { } p ? Math.Max(p, capitalAfter) : capitalAfter;
        }

        return flows;
    }

    internal static DateTimeOffset Instant(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}

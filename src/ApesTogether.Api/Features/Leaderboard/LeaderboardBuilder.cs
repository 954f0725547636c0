using System.Globalization;
using System.Text;
using System.Threading.Channels;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Performance;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ApesTogether.Api.Features.Leaderboard;

/// <summary>
/// What a rebuild did and where its time went: the up-front queries, the snapshot stream with the arithmetic (of which
/// <see cref="FirstRow"/> waited for the database and <see cref="ComputeCpu"/> is the arithmetic summed over the cores), the writes.
/// </summary>
public sealed record LeaderboardRebuildReport(IReadOnlyDictionary<Period, int> Entries, TimeSpan Load, TimeSpan Compute, TimeSpan Write,
    TimeSpan FirstRow, TimeSpan ComputeCpu);

/// <summary>
/// Recomputes whole periods of the leaderboard for every eligible user, set-based: a fixed number of queries whatever
/// the number of users (users, first snapshots, one stream of snapshots ordered by user, the ledger's capital, SPY, holdings
/// with their prices, caps and sectors, trade counts), the figures from <see cref="PerformanceService.Compute"/>, and each
/// period's rows replaced in one transaction.
/// </summary>
public sealed class LeaderboardBuilder(
    AppDbContext db,
    PerformanceService performance,
    MarketCalendar calendar,
    StockUniverse universe,
    LeaderboardCache cache,
    Subscriptions.SubscriberCounts subscriberCounts,
    TimeProvider clock,
    ILogger<LeaderboardBuilder> logger)
{
    /// <summary>Market cap from which a company counts as large.</summary>
    public const decimal LargeCapThreshold = 10_000_000_000m;

    /// <summary>Stored in large_cap_pct when no holding has a known market cap: such a user appears only under "all".</summary>
    public const decimal UnknownLargeCapPct = -1m;

    /// <summary>Trades per week = trades in the last 30 days ÷ 30 × 7: the one formula, used everywhere.</summary>
    public const int TradeCountDays = 30;

    const int InsertChunk = 2000;

    public static decimal TradesPerWeek(int tradesInLast30Days) =>
        decimal.Round(tradesInLast30Days / (decimal)TradeCountDays * 7m, 4, MidpointRounding.AwayFromZero);

    /// <summary>
    /// "Yesterday" for rank_change: the close of the session before the latest one (today's once it has opened, else the
    /// previous), so the previous figures are the same period as it stood at the previous trading day's close.
    /// </summary>
    public static DateTimeOffset PreviousClose(DateTimeOffset now, MarketCalendar calendar) =>
        calendar.PreviousSession(PeriodWindow.LatestSession(now, calendar).Date).Close;

    public async Task<LeaderboardRebuildReport> RebuildAsync(IReadOnlyCollection<Period> periods, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(periods);
        var chosen = periods.Distinct().ToList();
        if (chosen.Count == 0)
            throw new ArgumentException("At least one period is needed.", nameof(periods));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var now = clock.GetUtcNow();
        var previous = PreviousClose(now, calendar);
        var starts = chosen.ToDictionary(p => p, p => PeriodWindow.Start(p, now, calendar));
        var previousStarts = chosen.ToDictionary(p => p, p => PeriodWindow.Start(p, previous, calendar));
        var allStarts = starts.Values.Concat(previousStarts.Values).ToList();
        var earliest = allStarts.Min();
        DateTime? from = earliest == DateTimeOffset.MinValue ? null : earliest.UtcDateTime;
        var intradayStarts = chosen.Where(PeriodWindow.UsesIntraday).SelectMany(p => new[] { starts[p], previousStarts[p] }).ToList();
        DateTime? intradayFrom = intradayStarts.Count > 0 ? intradayStarts.Min().UtcDateTime : null;
        var onlyIntraday = chosen.All(PeriodWindow.UsesIntraday);

        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        var tradeSince = (now - TimeSpan.FromDays(TradeCountDays)).UtcDateTime;
        var nowUtc = now.UtcDateTime;
        var before = from ?? DateTime.MinValue;
        // Per user, index probes rather than aggregates over whole tables: the first daily close, the capital deployed before
        // the earliest window (it never falls, so the last row before it), and the trades of the last 30 days.
        var users = await db.Users.Where(u => u.DeactivatedAt == null)
            .Select(u => new UserFacts
            {
                Id = u.Id,
                Username = u.Username,
                DisplayName = u.DisplayName,
                IsAgent = u.IsAgent,
                FirstSnapshot = db.DailySnapshots.Where(s => s.UserId == u.Id).OrderBy(s => s.Date).Select(s => (DateTime?)s.At).FirstOrDefault(),
                CapitalBefore = db.Transactions.Where(t => t.UserId == u.Id && t.ExecutedAt < before)
                    .OrderByDescending(t => t.ExecutedAt).ThenByDescending(t => t.Id).Select(t => (decimal?)t.CapitalDeployedAfter).FirstOrDefault(),
                RecentTrades = db.Transactions.Count(t => t.UserId == u.Id && t.ExecutedAt > tradeSince && t.ExecutedAt <= nowUtc),
            })
            .ToDictionaryAsync(u => u.Id, ct);

        var flows = await LoadFlowsAsync(from, users, ct);
        var spyFrom = from is { } f ? MarketCalendar.ExchangeDate(PerformanceService.Instant(f)) : DateOnly.MinValue;
        var spyCloses = await db.DailyPrices.Where(p => p.Ticker == PerformanceService.BenchmarkTicker && p.Date >= spyFrom)
            .ToDictionaryAsync(p => p.Date, p => p.Close, ct);
        var spyIntraday = new Dictionary<DateTimeOffset, decimal>();
        if (intradayFrom is { } i)
        {
            await foreach (var price in db.IntradayPrices.Where(p => p.Ticker == PerformanceService.BenchmarkTicker && p.At >= i)
                               .Select(p => new { p.At, p.Price }).AsAsyncEnumerable().WithCancellation(ct))
                spyIntraday[PerformanceService.Instant(price.At)] = price.Price;
        }
        var composition = await LoadCompositionAsync(db, universe, userId: null, ct);
        // One grouped query for every creator's subscribers with access.
        var subscribers = await subscriberCounts.CountAllAsync(ct);
        foreach (var (creatorId, count) in subscribers)
        {
            if (users.TryGetValue(creatorId, out var facts))
                facts.SubscriberCount = count;
        }
        var load = watch.Elapsed;

        // One stream, ordered by user: daily closes from the earliest window (or only the closes the intraday windows start
        // at), followed by the intraday snapshots when a short period is rebuilt.
        IQueryable<Snapshots.DailySnapshot> dailyQuery = db.DailySnapshots;
        if (onlyIntraday)
        {
            var instants = intradayStarts.Select(s => s.UtcDateTime).Distinct().ToList();
            var dates = intradayStarts.Select(MarketCalendar.ExchangeDate).Distinct().ToList();
            dailyQuery = dailyQuery.Where(s => dates.Contains(s.Date) && instants.Contains(s.At));
        }
        else if (from is { } d)
        {
            // On the date as well: the (date) index narrows the scan, the instant keeps the exact rule.
            var fromDate = MarketCalendar.ExchangeDate(PerformanceService.Instant(d));
            dailyQuery = dailyQuery.Where(s => s.Date >= fromDate && s.At >= d);
        }
        var rows = dailyQuery.Select(s => new SnapshotRow { UserId = s.UserId, At = s.At, TotalValue = s.TotalValue, CapitalDeployed = s.CapitalDeployed, Daily = true });
        if (intradayFrom is { } intraday)
        {
            rows = rows.Concat(db.IntradaySnapshots.Where(s => s.At >= intraday)
                .Select(s => new SnapshotRow { UserId = s.UserId, At = s.At, TotalValue = s.TotalValue, CapitalDeployed = s.CapitalDeployed, Daily = false }));
        }

        var context = new ComputeContext(chosen, starts, previousStarts, now, previous, spyCloses, spyIntraday);
        // The stream is read here; the arithmetic (decimal, the hot path) runs on every core.
        long workerTicks = 0;
        TimeSpan? firstRow = null;
        var channel = Channel.CreateBounded<UserSeries>(new BoundedChannelOptions(4096) { SingleWriter = true });
        var workers = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => Task.Run(async () =>
        {
            var local = chosen.ToDictionary(p => p, _ => new List<LeaderboardEntry>());
            var busy = System.Diagnostics.Stopwatch.StartNew();
            busy.Stop();
            await foreach (var series in channel.Reader.ReadAllAsync(ct))
            {
                busy.Start();
                ComputeUser(context, series, users, flows, composition, local);
                busy.Stop();
            }
            Interlocked.Add(ref workerTicks, busy.Elapsed.Ticks);
            return local;
        }, ct)).ToList();

        try
        {
            long? current = null;
            var daily = new List<ValuationPoint>();
            var intradayPoints = new List<ValuationPoint>();
            await foreach (var row in rows.OrderBy(r => r.UserId).ThenBy(r => r.At).AsAsyncEnumerable().WithCancellation(ct))
            {
                firstRow ??= watch.Elapsed - load;
                if (row.UserId != current)
                {
                    if (current is { } done)
                        await channel.Writer.WriteAsync(new UserSeries(done, daily, intradayPoints), ct);
                    current = row.UserId;
                    daily = [];
                    intradayPoints = [];
                }
                var point = new ValuationPoint(PerformanceService.Instant(row.At), row.TotalValue, row.CapitalDeployed);
                (row.Daily ? daily : intradayPoints).Add(point);
            }
            if (current is { } last)
                await channel.Writer.WriteAsync(new UserSeries(last, daily, intradayPoints), ct);
            channel.Writer.Complete();
        }
        catch (Exception ex)
        {
            channel.Writer.TryComplete(ex);
            throw;
        }
        finally
        {
            // Workers end with the channel; their failures surface below.
            await Task.WhenAll(workers).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        var entries = chosen.ToDictionary(p => p, p => workers.SelectMany(w => w.Result[p]).ToList());
        var computed = watch.Elapsed;

        foreach (var period in chosen)
        {
            var windowStart = period == Period.Max
                ? entries[period].Count > 0 ? users.Values.Where(u => u.FirstSnapshot is not null).Min(u => PerformanceService.Instant(u.FirstSnapshot!.Value)) : now
                : starts[period];
            var benchmark = BenchmarkReturn(windowStart, now, spyCloses, spyIntraday);
            await WritePeriodAsync(period, entries[period], now, windowStart, benchmark, ct);
            cache.Invalidate(period);
        }

        var report = new LeaderboardRebuildReport(entries.ToDictionary(e => e.Key, e => e.Value.Count), load, computed - load, watch.Elapsed - computed,
            firstRow ?? TimeSpan.Zero, TimeSpan.FromTicks(workerTicks));
        logger.LogInformation("Leaderboard rebuilt for {Periods}: {Entries} entries (load {Load}, compute {Compute}, write {Write})",
            string.Join(",", chosen.Select(p => p.ToApiKey())), report.Entries.Values.Sum(), report.Load, report.Compute, report.Write);
        return report;
    }

    sealed record UserSeries(long UserId, List<ValuationPoint> Daily, List<ValuationPoint> Intraday);

    sealed class UserFacts
    {
        public long Id { get; init; }
        public required string Username { get; init; }
        public string? DisplayName { get; init; }
        public bool IsAgent { get; init; }
        public DateTime? FirstSnapshot { get; init; }
        public decimal? CapitalBefore { get; init; }
        public int RecentTrades { get; init; }
        public int SubscriberCount { get; set; }
    }

    void ComputeUser(ComputeContext context, UserSeries series, Dictionary<long, UserFacts> users, Dictionary<long, List<CapitalFlow>> flows,
        Dictionary<long, Composition> composition, Dictionary<Period, List<LeaderboardEntry>> into)
    {
        if (!users.TryGetValue(series.UserId, out var user) || user.FirstSnapshot is not { } firstAt)
            return;
        var first = PerformanceService.Instant(firstAt);
        var history = new PerformanceHistory(series.Daily, series.Intraday,
            flows.TryGetValue(user.Id, out var userFlows) ? userFlows : [], context.SpyCloses, context.SpyIntraday);
        composition.TryGetValue(user.Id, out var mix);
        foreach (var period in context.Periods)
        {
            var entry = ComputeEntry(context, history, first, period);
            if (entry is null)
                continue;
            entry.UserId = user.Id;
            entry.Username = user.Username;
            entry.DisplayName = user.DisplayName;
            entry.IsAgent = user.IsAgent;
            entry.AvgTradesPerWeek = TradesPerWeek(user.RecentTrades);
            entry.SubscriberCount = user.SubscriberCount;
            entry.LargeCapPct = mix?.LargeCapPct ?? UnknownLargeCapPct;
            entry.Sectors = mix?.Sectors ?? "";
            entry.ComputedAt = context.Now.UtcDateTime;
            into[period].Add(entry);
        }
    }

    sealed record ComputeContext(
        IReadOnlyList<Period> Periods,
        IReadOnlyDictionary<Period, DateTimeOffset> Starts,
        IReadOnlyDictionary<Period, DateTimeOffset> PreviousStarts,
        DateTimeOffset Now,
        DateTimeOffset Previous,
        IReadOnlyDictionary<DateOnly, decimal> SpyCloses,
        IReadOnlyDictionary<DateTimeOffset, decimal> SpyIntraday);

    /// <summary>
    /// One user's row for one period, or null when the user is not eligible: the history must cover the whole window (the
    /// first daily close at or before the window's start; Max needs only two points), and the period must have a return.
    /// </summary>
    LeaderboardEntry? ComputeEntry(ComputeContext context, PerformanceHistory history, DateTimeOffset first, Period period)
    {
        if (period != Period.Max && first > context.Starts[period])
            return null;
        var result = performance.Compute(history, period, context.Now);
        if (result is null)
            return null;

        decimal? previousReturn = null;
        if (period == Period.Max || first <= context.PreviousStarts[period])
        {
            var asOfPrevious = history.UpTo(context.Previous);
            if (performance.Compute(asOfPrevious, period, context.Previous, returnOnly: true) is { } before)
                previousReturn = Returns.ToPercent(before.Return);
        }

        var sparkline = DownSampling.Evenly(result.Points);
        var json = new StringBuilder(sparkline.Count * 8).Append('[');
        for (var k = 0; k < sparkline.Count; k++)
        {
            if (k > 0)
                json.Append(',');
            // No storage padding (1.5000 → 1.5), as the API's JSON writes numbers.
            json.Append(Returns.ToPercent(sparkline[k].Return).ToString("0.####", CultureInfo.InvariantCulture));
        }
        json.Append(']');

        return new LeaderboardEntry
        {
            Period = Key(period),
            Username = "",
            Sectors = "",
            Sparkline = json.ToString(),
            ReturnPct = Returns.ToPercent(result.Return),
            PreviousReturnPct = previousReturn,
            AlphaPct = Returns.ToPercent(result.Alpha ?? result.Return),
            MaxDrawdownPct = result.Risk is { } r ? Returns.ToPercent(r.MaxDrawdown) : null,
            VolatilityPct = result.Risk is { } v ? Returns.ToPercent(v.Volatility) : null,
            SharpeRatio = result.Risk?.SharpeRatio is { } s ? decimal.Round(s, 4, MidpointRounding.AwayFromZero) : null,
        };
    }

    public static string Key(Period period) => period.ToApiKey().ToUpperInvariant();

    /// <summary>
    /// SPY from the window's start to now: the close on (or last before) the start's exchange date, to the latest price
    /// known by now (a captured intraday price when it is later than the last close). Null without prices.
    /// </summary>
    decimal BenchmarkReturn(DateTimeOffset start, DateTimeOffset now, Dictionary<DateOnly, decimal> closes, Dictionary<DateTimeOffset, decimal> intraday)
    {
        var startDate = MarketCalendar.ExchangeDate(start);
        var today = MarketCalendar.ExchangeDate(now);
        var before = closes.Where(c => c.Key <= startDate).OrderByDescending(c => c.Key).Select(c => (decimal?)c.Value).FirstOrDefault()
            ?? closes.Where(c => c.Key <= today).OrderBy(c => c.Key).Select(c => (decimal?)c.Value).FirstOrDefault();
        (DateTimeOffset At, decimal Price)? last = null;
        foreach (var (date, close) in closes)
        {
            var at = (calendar.GetSession(date)?.Close) ?? MarketCalendar.EasternToUtc(date, MarketCalendar.RegularCloseTime);
            if (at <= now && (last is null || at > last.Value.At))
                last = (at, close);
        }
        foreach (var (at, price) in intraday)
        {
            if (at <= now && (last is null || at > last.Value.At))
                last = (at, price);
        }
        return before is { } b && b != 0m && last is { } l ? Returns.ToPercent(l.Price / b - 1m) : 0m;
    }

    /// <summary>
    /// Each user's capital flows from <paramref name="from"/> on: the ledger rows inside the window, ordered by user, on top of
    /// the capital deployed before it (loaded with the users).
    /// </summary>
    async Task<Dictionary<long, List<CapitalFlow>>> LoadFlowsAsync(DateTime? from, Dictionary<long, UserFacts> users, CancellationToken ct)
    {
        var query = db.Transactions.AsQueryable();
        if (from is { } f)
            query = query.Where(t => t.ExecutedAt >= f);

        var result = new Dictionary<long, List<CapitalFlow>>();
        var ledger = new List<(DateTime, decimal)>();
        long? current = null;
        void Flush()
        {
            if (current is { } id)
            {
                var flows = PerformanceService.FlowsFromLedger(ledger, users.TryGetValue(id, out var u) ? u.CapitalBefore : null);
                if (flows.Count > 0)
                    result[id] = flows;
            }
            ledger.Clear();
        }

        await foreach (var t in query.OrderBy(t => t.UserId).ThenBy(t => t.ExecutedAt).ThenBy(t => t.Id)
                           .Select(t => new { t.UserId, t.ExecutedAt, t.CapitalDeployedAfter }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (t.UserId != current)
            {
                Flush();
                current = t.UserId;
            }
            ledger.Add((t.ExecutedAt, t.CapitalDeployedAfter));
        }
        Flush();
        return result;
    }

    internal sealed record Composition(decimal LargeCapPct, string Sectors);

    /// <summary>
    /// Per user, from the current holdings valued at the latest daily close (else the average cost): the share of the stock
    /// value in companies with a known market cap ≥ $10B among those with a known cap (−1 when none is known; unknown caps
    /// are left out of the weights, never counted as large), and the distinct sectors held.
    /// </summary>
    internal static async Task<Dictionary<long, Composition>> LoadCompositionAsync(AppDbContext db, StockUniverse universe, long? userId,
        CancellationToken ct)
    {
        var holdings = db.Holdings.Where(h => h.Quantity > 0m);
        if (userId is { } only)
            holdings = holdings.Where(h => h.UserId == only);
        // Only the facts of held tickers: the trade hook asks for one user's handful, not the whole table.
        var info = await db.StockInfo.Where(s => holdings.Any(h => h.Ticker == s.Ticker))
            .Select(s => new { s.Ticker, s.Sector, s.MarketCapitalization }).ToDictionaryAsync(s => s.Ticker, ct);
        var closes = await db.DailyPrices
            .Where(p => p.Date == db.DailyPrices.Where(q => q.Ticker == p.Ticker).Max(q => q.Date))
            .Where(p => holdings.Any(h => h.Ticker == p.Ticker))
            .Select(p => new { p.Ticker, p.Close })
            .ToDictionaryAsync(p => p.Ticker, p => p.Close, ct);

        var result = new Dictionary<long, Composition>();
        long? current = null;
        decimal known = 0m, large = 0m;
        var sectors = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        void Flush()
        {
            if (current is { } id)
            {
                var pct = known > 0m ? decimal.Round(large / known * 100m, 4, MidpointRounding.AwayFromZero) : UnknownLargeCapPct;
                var joined = string.Join('|', sectors);
                result[id] = new Composition(pct, joined.Length <= 1000 ? joined : joined[..1000]);
            }
            known = 0m;
            large = 0m;
            sectors.Clear();
        }

        await foreach (var h in holdings.OrderBy(h => h.UserId)
                           .Select(h => new { h.UserId, h.Ticker, h.Quantity, h.AverageCost }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (h.UserId != current)
            {
                Flush();
                current = h.UserId;
            }
            var value = h.Quantity * (closes.TryGetValue(h.Ticker, out var close) ? close : h.AverageCost);
            info.TryGetValue(h.Ticker, out var facts);
            if (facts?.MarketCapitalization is { } cap)
            {
                known += value;
                if (cap >= LargeCapThreshold)
                    large += value;
            }
            var sector = facts?.Sector ?? (universe.TryGet(h.Ticker, out var u) ? u.Sector : null);
            if (!string.IsNullOrWhiteSpace(sector))
                sectors.Add(sector.Trim());
        }
        Flush();
        return result;
    }

    /// <summary>PostgreSQL: the rows in one binary COPY, inside the rebuild's transaction (an order of magnitude faster than INSERTs).</summary>
    static async Task CopyAsync(NpgsqlConnection connection, List<LeaderboardEntry> entries, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY leaderboard_entries (period, user_id, username, display_name, is_agent, return_pct, previous_return_pct, alpha_pct,
                max_drawdown_pct, volatility_pct, sharpe_ratio, avg_trades_per_week, large_cap_pct, sectors, subscriber_count, sparkline,
                computed_at) FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var e in entries)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(e.Period, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(e.UserId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(e.Username, NpgsqlDbType.Varchar, ct);
            await WriteNullableAsync(copy, e.DisplayName, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(e.IsAgent, NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(e.ReturnPct, NpgsqlDbType.Numeric, ct);
            await WriteNullableAsync(copy, e.PreviousReturnPct, NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(e.AlphaPct, NpgsqlDbType.Numeric, ct);
            await WriteNullableAsync(copy, e.MaxDrawdownPct, NpgsqlDbType.Numeric, ct);
            await WriteNullableAsync(copy, e.VolatilityPct, NpgsqlDbType.Numeric, ct);
            await WriteNullableAsync(copy, e.SharpeRatio, NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(e.AvgTradesPerWeek, NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(e.LargeCapPct, NpgsqlDbType.Numeric, ct);
            await copy.WriteAsync(e.Sectors, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(e.SubscriberCount, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(e.Sparkline, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(e.ComputedAt, NpgsqlDbType.TimestampTz, ct);
        }
        await copy.CompleteAsync(ct);
    }

    static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null)
            await copy.WriteNullAsync(ct);
        else
            await copy.WriteAsync(value, type, ct);
    }

    /// <summary>Replaces the period's rows in one transaction, in chunks with the change tracker cleared between them.</summary>
    async Task WritePeriodAsync(Period period, List<LeaderboardEntry> entries, DateTimeOffset now, DateTimeOffset windowStart,
        decimal benchmark, CancellationToken ct)
    {
        var key = Key(period);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.TrackAll;
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (db.Database.IsNpgsql())
            {
                // Two rebuilds of one period (the 1D one after an intraday snapshot and the nightly one) take turns.
                var lockKey = 0x4C42_0000L + (int)period;
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({lockKey})", ct);
            }
            await db.LeaderboardEntries.Where(e => e.Period == key).ExecuteDeleteAsync(ct);
            if (db.Database.GetDbConnection() is NpgsqlConnection connection)
            {
                await CopyAsync(connection, entries, ct);
            }
            else
            {
                for (var k = 0; k < entries.Count; k += InsertChunk)
                {
                    db.LeaderboardEntries.AddRange(entries.Skip(k).Take(InsertChunk));
                    await db.SaveChangesAsync(ct);
                    db.ChangeTracker.Clear();
                }
            }

            var row = await db.LeaderboardPeriods.SingleOrDefaultAsync(p => p.Period == key, ct);
            if (row is null)
            {
                row = new LeaderboardPeriod { Period = key };
                db.LeaderboardPeriods.Add(row);
            }
            row.AsOf = now.UtcDateTime;
            row.WindowStart = windowStart.UtcDateTime;
            row.BenchmarkReturnPct = benchmark;
            row.Entries = entries.Count;
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }
}

/// <summary>One snapshot row of the rebuild's stream: a daily close or a 15-minute snapshot.</summary>
sealed class SnapshotRow
{
    public long UserId { get; init; }
    public DateTime At { get; init; }
    public decimal TotalValue { get; init; }
    public decimal CapitalDeployed { get; init; }
    public bool Daily { get; init; }
}

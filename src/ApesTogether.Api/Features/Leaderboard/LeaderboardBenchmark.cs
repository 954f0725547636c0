using System.Diagnostics;
using System.Globalization;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.Performance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Leaderboard;

/// <summary>
/// <c>benchmark-leaderboard [--users N] [--days N]</c>: fills an empty PostgreSQL database with N users, each with a
/// year of random-walk daily snapshots, capital flows a few times a year with their ledger rows, a few holdings, and
/// SPY's closes (all set-based SQL), then times a rebuild of every period. Refuses any other database, and any database
/// that already has users, so it can never write into real data.
/// </summary>
public static class LeaderboardBenchmark
{
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(args);
        var users = Option(args, "--users", 10_000);
        var days = Option(args, "--days", 252);
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider != DatabaseProvider.Postgres)
        {
            Console.Error.WriteLine("benchmark-leaderboard runs only on PostgreSQL (Database__Provider=Postgres).");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        if (await db.Users.AnyAsync(ct))
        {
            Console.Error.WriteLine("benchmark-leaderboard needs a database without users; it will not write into real data.");
            return 2;
        }

        var calendar = scope.ServiceProvider.GetRequiredService<MarketCalendar>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var sessions = new List<TradingSession>();
        for (var session = SessionClosedBy(calendar, now); sessions.Count < days; session = calendar.PreviousSession(session.Date))
            sessions.Add(session);
        sessions.Reverse();

        var watch = Stopwatch.StartNew();
        await GenerateAsync(db, users, sessions, ct);
        var snapshots = await db.DailySnapshots.LongCountAsync(ct);
        var transactions = await db.Transactions.LongCountAsync(ct);
        await db.Database.ExecuteSqlRawAsync("ANALYZE", ct);
        Console.WriteLine($"generated {users} users, {snapshots} daily snapshots, {transactions} transactions in {watch.Elapsed.TotalSeconds:0.0} s");

        var builder = scope.ServiceProvider.GetRequiredService<LeaderboardBuilder>();
        var total = Stopwatch.StartNew();
        foreach (var period in PeriodNames.All)
        {
            var one = Stopwatch.StartNew();
            var report = await builder.RebuildAsync([period], ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{LeaderboardBuilder.Key(period),-4} {report.Entries[period],6} entries {one.Elapsed.TotalSeconds,6:0.00} s (load {report.Load.TotalSeconds:0.00}, stream + compute {report.Compute.TotalSeconds:0.00} [first row {report.FirstRow.TotalSeconds:0.00}, arithmetic {report.ComputeCpu.TotalSeconds:0.00} cpu-s], write {report.Write.TotalSeconds:0.00})"));
        }
        var separately = total.Elapsed;
        total.Restart();
        var all = await builder.RebuildAsync(PeriodNames.All, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"users {users}, daily snapshot rows {snapshots}, cores {Environment.ProcessorCount}: periods one by one {separately.TotalSeconds:0.00} s; all 8 in one rebuild {total.Elapsed.TotalSeconds:0.00} s (load {all.Load.TotalSeconds:0.00}, stream + compute {all.Compute.TotalSeconds:0.00} [first row {all.FirstRow.TotalSeconds:0.00}, arithmetic {all.ComputeCpu.TotalSeconds:0.00} cpu-s], write {all.Write.TotalSeconds:0.00}), {all.Entries.Values.Sum()} entries"));
        return 0;
    }

    static TradingSession SessionClosedBy(MarketCalendar calendar, DateTimeOffset now)
    {
        var today = calendar.GetSession(MarketCalendar.ExchangeDate(now));
        return today is not null && today.Close <= now ? today : calendar.PreviousSession(MarketCalendar.ExchangeDate(now));
    }

    static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
    }

    static async Task GenerateAsync(AppDbContext db, int users, List<TradingSession> sessions, CancellationToken ct)
    {
        var dates = sessions.Select(s => s.Date).ToArray();
        var closes = sessions.Select(s => s.Close.UtcDateTime).ToArray();
        var created = sessions[0].Open.UtcDateTime.AddDays(-1);
        string[] tickers = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "JPM", "XOM", "UNH", "PFE", "KO", "DIS", "NKE", "GME", "AMC", "PLTR", "SOFI", "F", "T", "INTC"];

        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO users (email, normalized_email, username, normalized_username, display_name, time_zone, password_hash, is_agent, created_at)
            SELECT 'bench' || g || '@bench.test', 'bench' || g || '@bench.test', 'bench' || g, 'bench' || g, 'Bench ' || g,
                   'America/New_York', 'benchmark-no-login', g % 20 = 0, {created}
            FROM generate_series(1, {users}) AS g
            """, ct);

        // One row per user and session: a daily log return, and now and then new money (the first session always).
        await db.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS bench_leaderboard_days", ct);
        await db.Database.ExecuteSqlAsync($"""
            CREATE UNLOGGED TABLE bench_leaderboard_days AS
            WITH s AS (SELECT d, at, i FROM unnest({dates}::date[], {closes}::timestamptz[]) WITH ORDINALITY AS s(d, at, i)),
            base AS (
                SELECT u.id AS user_id, s.d, s.at, s.i,
                       CASE WHEN s.i = 1 THEN 0 ELSE (random() - 0.49) * 0.04 END AS r,
                       CASE WHEN s.i = 1 OR random() < 0.016 THEN 1 ELSE 0 END AS flow,
                       CASE WHEN s.i > 1 AND random() < 0.08 THEN 1 ELSE 0 END AS churn
                FROM users u CROSS JOIN s)
            SELECT user_id, d, at, i, flow, churn,
                   sum(r) OVER w AS log_growth,
                   (10000 + 2000 * (sum(flow) OVER w - 1))::numeric AS capital
            FROM base
            WINDOW w AS (PARTITION BY user_id ORDER BY i)
            """, ct);

        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO daily_snapshots (user_id, date, at, total_value, stock_value, cash_proceeds, capital_deployed)
            SELECT user_id, d, at, round(capital * exp(log_growth)::numeric, 4), round(capital * exp(log_growth)::numeric, 4), 0, capital
            FROM bench_leaderboard_days
            """, ct);

        // The ledger: a buy bringing each flow's money in at 13:00 of its session, and trades without new money in between.
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO transactions (user_id, ticker, action, quantity, price, total, executed_at, price_source, market_session,
                                      pending_trade_id, capital_deployed_after, cash_proceeds_after)
            SELECT user_id, 'AAPL', 'Buy', 10, 200, 2000, at - interval '3 hours', 'benchmark', 'regular', NULL::bigint, capital, 0
            FROM bench_leaderboard_days WHERE flow = 1
            UNION ALL
            SELECT user_id, 'MSFT', CASE WHEN i % 2 = 0 THEN 'Sell' ELSE 'Buy' END, 1, 400, 400, at - interval '2 hours', 'benchmark', 'regular',
                   NULL, capital, 0
            FROM bench_leaderboard_days WHERE churn = 1 AND flow = 0
            """, ct);
        await db.Database.ExecuteSqlRawAsync("DROP TABLE bench_leaderboard_days", ct);

        // Three holdings per user from a small list; facts with market caps for most tickers (the last two unknown).
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO holdings (user_id, ticker, quantity, average_cost, opened_at, updated_at)
            SELECT u.id, ({tickers}::text[])[1 + ((u.id * 7 + k * 5) % cardinality({tickers}::text[]))], 10 + k, 100 + k, {created}, {created}
            FROM users u CROSS JOIN generate_series(0, 2) AS k
            """, ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO stock_info (ticker, name, sector, industry, market_capitalization, source, updated_at)
            SELECT t, t, NULL, NULL, CASE WHEN n > cardinality({tickers}::text[]) - 2 THEN NULL WHEN n % 3 = 0 THEN 2000000000 ELSE 500000000000 END,
                   'benchmark', {created}
            FROM unnest({tickers}::text[]) WITH ORDINALITY AS x(t, n)
            ON CONFLICT (ticker) DO NOTHING
            """, ct);

        // SPY's closes on every session, and the held tickers' closes on the last one.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO daily_prices (ticker, date, open, close, source, recorded_at)
            SELECT 'SPY', d, NULL::numeric, round((500 * exp(sum((random() - 0.48) * 0.02) OVER (ORDER BY i)))::numeric, 4), 'benchmark', {created}
            FROM unnest({dates}::date[]) WITH ORDINALITY AS s(d, i)
            UNION ALL
            SELECT t, {dates[^1]}, NULL, 100 + n, 'benchmark', {created}
            FROM unnest({tickers}::text[]) WITH ORDINALITY AS x(t, n)
            ON CONFLICT (ticker, date) DO NOTHING
            """, ct);
    }
}

using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.Leaderboard;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Features.Notifications;
using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Features.Subscriptions;
using ApesTogether.Api.Features.Trades;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ApesTogether.Api.Features.Ops;

/// <summary>What <c>seed</c> writes: N numbered users plus the two fixed accounts, a history of that many calendar days.</summary>
public sealed record SeedOptions
{
    public int Users { get; init; } = 1000;
    public int Days { get; init; } = 365;
    public int Seed { get; init; } = 42;
    /// <summary>Share of the numbered users that are agents (0–1).</summary>
    public double AgentShare { get; init; } = 0.05;
    /// <summary>Wipe the users (and everything they own) and the prices first, instead of refusing.</summary>
    public bool Force { get; init; }
    /// <summary>Sessions at the end of the history that also get 15-minute intraday snapshots (for 1D, 5D and 7D).</summary>
    public int IntradaySessions { get; init; } = 6;
    /// <summary>
    /// The first N numbered users are active subscribers of stockguru, each with a device token (for the fan-out benchmark:
    /// one stockguru trade → N pushes). At most <see cref="Users"/>.
    /// </summary>
    public int FanoutSubscribers { get; init; }
}

public sealed record SeedReport(int Users, long Trades, long Holdings, long DailySnapshots, long IntradaySnapshots, long DailyPrices, TimeSpan Elapsed)
{
    public int Subscriptions { get; init; }
    public int DeviceTokens { get; init; }
    public int NotificationSettings { get; init; }
}

/// <summary>
/// <c>seed [--users 1000] [--days 365] [--seed 42] [--agents 5%] [--fanout-subscribers 0] [--force]</c>: a deterministic, realistic data set.
/// Every user's year is replayed through the app's own cash model (<see cref="CashState"/>, <see cref="Position"/>) at the
/// simulator's prices, so the ledger, holdings, cash accounts and snapshots agree and <c>reconcile</c> finds no drift.
/// Rows go in with binary COPY on PostgreSQL and prepared inserts in one transaction per chunk on SQLite.
/// </summary>
public static class Seeder
{
    /// <summary>The one password of every seeded account (hashed once, the hash reused).</summary>
    public const string Password = "testpass123";
    public const string LoadTestEmail = "loadtest@example.com";
    public const string TraderUsername = "stockguru";
    public const string TraderEmail = "stockguru@example.com";
    /// <summary>stockguru's user id: the fixed accounts are seeded first (loadtest 1, stockguru 2, user00001 3, …).</summary>
    public const long TraderId = 2;
    /// <summary>Numbered users that creators come from, besides stockguru, when seeded users subscribe to each other.</summary>
    public const int CreatorPool = 50;
    const int Chunk = 500;

    static readonly string[] TickerPool =
    [
        "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "V", "XOM", "UNH", "JNJ", "PG", "KO", "PEP", "DIS",
        "NKE", "INTC", "AMD", "NFLX", "BAC", "WMT", "COST", "PFE", "T", "F", "GME", "AMC", "PLTR", "SOFI", "QQQ", "SPY",
    ];

    /// <summary>The numbered account for index n (1-based): user00001@example.com.</summary>
    public static string NumberedEmail(int n) => string.Create(CultureInfo.InvariantCulture, $"user{n:D5}@example.com");

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SeedOptions
        {
            Users = IntOption(args, "--users", 1000),
            Days = IntOption(args, "--days", 365),
            Seed = IntOption(args, "--seed", 42),
            AgentShare = ShareOption(args, "--agents", 0.05),
            FanoutSubscribers = IntOption(args, "--fanout-subscribers", 0, min: 0),
            Force = args.Contains("--force"),
        };
        try
        {
            var report = await SeedAsync(services, options, Console.Out, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seeded {report.Users} users, {report.Trades} trades, {report.Holdings} holdings, {report.DailySnapshots} daily snapshots, {report.IntradaySnapshots} intraday snapshots, {report.DailyPrices} daily prices, {report.Subscriptions} subscriptions, {report.DeviceTokens} device tokens, {report.NotificationSettings} notification settings in {report.Elapsed.TotalSeconds:0.0} s"));
            Console.WriteLine($"accounts: {LoadTestEmail}, {TraderEmail} (username {TraderUsername}), {NumberedEmail(1)} … {NumberedEmail(options.Users)}; password {Password}");
            return 0;
        }
        catch (SeedRefusedException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    public static async Task<SeedReport> SeedAsync(IServiceProvider services, SeedOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        if (options.FanoutSubscribers < 0 || options.FanoutSubscribers > options.Users)
            throw new SeedRefusedException($"--fanout-subscribers must be between 0 and --users ({options.Users}).");
        var watch = Stopwatch.StartNew();
        await DatabaseSetup.MigrateAsync(services, ct);

        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<AppDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        if (await db.Users.AnyAsync(ct))
        {
            if (!options.Force)
                throw new SeedRefusedException("seed needs a database without users (pass --force to delete every user and price first).");
            await WipeAsync(db, ct);
        }

        var calendar = sp.GetRequiredService<MarketCalendar>();
        var universe = sp.GetRequiredService<StockUniverse>();
        var sim = sp.GetRequiredService<SimulatedQuoteProvider>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        var today = calendar.GetSession(MarketCalendar.ExchangeDate(now));
        var last = today is not null && today.Close <= now ? today : calendar.PreviousSession(MarketCalendar.ExchangeDate(now));
        var sessions = calendar.GetSessions(last.Date.AddDays(-Math.Max(1, options.Days)), last.Date).ToArray();
        var tickers = TickerPool.Where(universe.Contains).ToArray();
        var market = new Market(sessions, tickers, sim, Math.Clamp(options.IntradaySessions, 0, sessions.Length));

        var hash = sp.GetRequiredService<IPasswordHasher<User>>().HashPassword(null!, Password);
        var total = options.Users + 2;
        var created = sessions[0].Open.UtcDateTime.AddDays(-1);

        var sink = await Sink.OpenAsync(db, ct);
        long trades = 0, holdings = 0, daily = 0, intraday = 0;
        for (var start = 0; start < total; start += Chunk)
        {
            var count = Math.Min(Chunk, total - start);
            var histories = new UserHistory[count];
            Parallel.For(0, count, new ParallelOptions { CancellationToken = ct },
                i => histories[i] = Replay(start + i, options, market, created, hash));
            await sink.WriteChunkAsync(histories, market.Tickers, ct);
            foreach (var h in histories)
            {
                trades += h.Trades.Count;
                holdings += h.Holdings.Count;
                daily += h.Daily.Count;
                intraday += h.Intraday.Count;
            }
            progress.Write(string.Create(CultureInfo.InvariantCulture,
                $"\rseed: {start + count,7}/{total} users, {trades} trades, {daily} daily snapshots ({watch.Elapsed.TotalSeconds:0.0} s)"));
        }
        progress.WriteLine();
        var prices = await sink.WritePricesAsync(market, created, ct);
        var tier = sp.GetRequiredService<IOptions<SubscriptionOptions>>().Value.Tiers[SubscriptionOptions.DefaultTier];
        var social = Social.Plan(options, now.UtcDateTime, tier);
        await sink.WriteSocialAsync(social, ct);
        db.NotificationSettings.AddRange(social.Settings);
        await db.SaveChangesAsync(ct);
        await sink.FinishAsync(ct);

        // After the subscriptions: the board's subscriber counts come from them (SubscriberCounts).
        progress.WriteLine("seed: rebuilding the leaderboard");
        await sp.GetRequiredService<LeaderboardBuilder>().RebuildAsync(PeriodNames.All, ct);
        return new SeedReport(total, trades, holdings, daily, intraday, prices, watch.Elapsed)
        {
            Subscriptions = social.Subscriptions.Count,
            DeviceTokens = social.Devices.Count,
            NotificationSettings = social.Settings.Count,
        };
    }

    /// <summary>
    /// Who follows whom, their phones and a few preferences; a pure function of the options (times relative to now).
    /// Subscriptions follow the domain rules: one per (subscriber, creator), never to oneself, active, paid on the default
    /// tier, started within the last 20 days so the paid period runs past now.
    /// </summary>
    internal sealed record Social(List<SeedSubscription> Subscriptions, List<SeedDevice> Devices, List<NotificationSettings> Settings)
    {
        public const double SubscribingShare = 0.10;

        /// <summary>user0000n's id: the two fixed accounts come first.</summary>
        static long IdOf(int numbered) => numbered + 2L;

        public static Social Plan(SeedOptions options, DateTime now, SubscriptionTierOptions tier)
        {
            var rng = new Random(unchecked((options.Seed * 1_000_003) + 0x50c1a1));
            var subscriptions = new List<SeedSubscription>();
            var pairs = new HashSet<(long, long)>();
            void Subscribe(long subscriber, long creator)
            {
                if (subscriber == creator || !pairs.Add((subscriber, creator)))
                    return;
                var started = now.AddDays(-rng.Next(0, 20)).AddMinutes(-rng.Next(0, 24 * 60));
                subscriptions.Add(new SeedSubscription(subscriber, creator, tier.Price, started, started.AddMonths(Math.Max(1, tier.PeriodMonths)),
                    Platform(rng)));
            }
            for (var n = 1; n <= options.FanoutSubscribers; n++)
                Subscribe(IdOf(n), TraderId);
            // Some users follow one or two creators: stockguru half the time, else one of the first numbered users.
            for (var n = 1; n <= options.Users; n++)
            {
                if (rng.NextDouble() >= SubscribingShare)
                    continue;
                for (var k = rng.Next(1, 3); k > 0; k--)
                    Subscribe(IdOf(n), rng.NextDouble() < 0.5 ? TraderId : IdOf(rng.Next(1, Math.Min(options.Users, CreatorPool) + 1)));
            }

            // Every account has one or two devices; a fan-out subscriber always has at least one.
            var devices = new List<SeedDevice>();
            for (long id = 1; id <= IdOf(options.Users); id++)
            {
                var count = rng.Next(1, 3);
                for (var k = 1; k <= count; k++)
                {
                    devices.Add(new SeedDevice(id, string.Create(CultureInfo.InvariantCulture, $"seed-{options.Seed}-{id}-{k}"),
                        Platform(rng), now.AddDays(-rng.Next(0, 60))));
                }
            }

            // A few preferences, never on a fan-out subscriber (whose push must go out): other quiet hours and zone, push
            // off, stockguru muted.
            var settings = new List<NotificationSettings>();
            for (var n = options.FanoutSubscribers + 1; n <= options.Users; n++)
            {
                switch (n % 100)
                {
                    case 10:
                        settings.Add(new NotificationSettings { UserId = IdOf(n), QuietStart = new TimeOnly(23, 0), QuietEnd = new TimeOnly(7, 0), TimeZone = "Europe/London" });
                        break;
                    case 20:
                        settings.Add(new NotificationSettings { UserId = IdOf(n), PushEnabled = false });
                        break;
                    case 30:
                        settings.Add(new NotificationSettings { UserId = IdOf(n), MutedCreatorIds = [TraderId] });
                        break;
                }
            }
            return new Social(subscriptions, devices, settings);
        }

        static string Platform(Random rng) => rng.Next(2) == 0 ? "ios" : "android";
    }

    static async Task WipeAsync(AppDbContext db, CancellationToken ct)
    {
        await db.Notifications.ExecuteDeleteAsync(ct);
        await db.NotificationSettings.ExecuteDeleteAsync(ct);
        await db.DeviceTokens.ExecuteDeleteAsync(ct);
        await db.Subscriptions.ExecuteDeleteAsync(ct);
        await db.LeaderboardEntries.ExecuteDeleteAsync(ct);
        await db.IntradaySnapshots.ExecuteDeleteAsync(ct);
        await db.DailySnapshots.ExecuteDeleteAsync(ct);
        await db.PendingTrades.ExecuteDeleteAsync(ct);
        await db.Transactions.ExecuteDeleteAsync(ct);
        await db.Holdings.ExecuteDeleteAsync(ct);
        await db.CashAccounts.ExecuteDeleteAsync(ct);
        await db.IdempotencyRecords.ExecuteDeleteAsync(ct);
        await db.RefreshTokens.ExecuteDeleteAsync(ct);
        await db.Users.ExecuteDeleteAsync(ct);
        await db.DailyPrices.ExecuteDeleteAsync(ct);
        await db.IntradayPrices.ExecuteDeleteAsync(ct);
    }

    /// <summary>Prices of the pool at every session close and at every intraday instant of the last sessions.</summary>
    sealed class Market
    {
        public Market(TradingSession[] sessions, string[] tickers, SimulatedQuoteProvider sim, int intradaySessions)
        {
            Sessions = sessions;
            Tickers = tickers;
            Sim = sim;
            Closes = new decimal[tickers.Length][];
            Opens = new decimal?[tickers.Length][];
            Parallel.For(0, tickers.Length, t =>
            {
                Closes[t] = sessions.Select(s => sim.CloseOn(tickers[t], s.Date)).ToArray();
                Opens[t] = sessions.Select(s => sim.OpenOn(tickers[t], s.Date)).ToArray();
            });
            FirstIntradaySession = sessions.Length - intradaySessions;
            var instants = new List<DateTimeOffset>();
            for (var s = FirstIntradaySession; s < sessions.Length; s++)
            {
                for (var at = sessions[s].Open; at <= sessions[s].Close; at += TimeSpan.FromMinutes(15))
                    instants.Add(at);
            }
            Instants = [.. instants];
            IntradayPrices = new decimal[tickers.Length][];
            Parallel.For(0, tickers.Length, t => IntradayPrices[t] = Instants.Select(i => sim.QuoteAt(tickers[t], i).Price).ToArray());
        }

        public TradingSession[] Sessions { get; }
        public string[] Tickers { get; }
        public SimulatedQuoteProvider Sim { get; }
        public decimal[][] Closes { get; }
        public decimal?[][] Opens { get; }
        public int FirstIntradaySession { get; }
        public DateTimeOffset[] Instants { get; }
        public decimal[][] IntradayPrices { get; }
    }

    sealed record SeedUser(long Id, string Email, string Username, string? DisplayName, bool IsAgent, DateTime CreatedAt, string PasswordHash);
    sealed record SeedTrade(int Ticker, TradeAction Action, decimal Quantity, decimal Price, decimal Total, DateTime ExecutedAt, decimal CapitalAfter, decimal ProceedsAfter);
    sealed record SeedHolding(int Ticker, decimal Quantity, decimal AverageCost, DateTime OpenedAt, DateTime UpdatedAt);
    sealed record SeedSnapshot(DateOnly Date, DateTime At, decimal Total, decimal Stock, decimal Proceeds, decimal Capital);
    internal sealed record SeedSubscription(long SubscriberId, long CreatorId, decimal Price, DateTime StartedAt, DateTime PeriodEnd, string Platform);
    internal sealed record SeedDevice(long UserId, string Token, string Platform, DateTime CreatedAt);

    sealed class UserHistory(SeedUser user)
    {
        public SeedUser User { get; } = user;
        public List<SeedTrade> Trades { get; } = [];
        public List<SeedHolding> Holdings { get; } = [];
        public List<SeedSnapshot> Daily { get; } = [];
        public List<SeedSnapshot> Intraday { get; } = [];
        public CashState Cash { get; set; }
        public DateTime CashUpdatedAt { get; set; }
    }

    /// <summary>One user's history, a pure function of (seed, index): trades through the cash model, snapshots at every close.</summary>
    static UserHistory Replay(int index, SeedOptions options, Market market, DateTime created, string hash)
    {
        // Not HashCode.Combine: it is salted per process, and the data set must be the same on every run.
        var rng = new Random(unchecked((options.Seed * 1_000_003) + (index * 7_919) + 0x5eed));
        var isAgent = index >= 2 && rng.NextDouble() < options.AgentShare;
        var (email, username) = index switch
        {
            0 => (LoadTestEmail, "loadtest"),
            1 => (TraderEmail, TraderUsername),
            _ => (NumberedEmail(index - 1), string.Create(CultureInfo.InvariantCulture, $"user{index - 1:D5}")),
        };
        var display = index == 1 ? "Stock Guru" : isAgent ? string.Create(CultureInfo.InvariantCulture, $"Agent {index - 1}") : null;
        var history = new UserHistory(new SeedUser(index + 1, email, username, display, isAgent, created, hash));

        var sessions = market.Sessions;
        var first = index < 2 ? 0 : rng.Next(0, Math.Max(1, sessions.Length / 4));
        var chance = index == 1 ? 0.3 : isAgent ? 0.25 : 0.03 + (rng.NextDouble() * 0.07);
        var cash = new CashState(0m, 0m);
        var positions = new Dictionary<int, (Position Position, DateTime Opened, DateTime Updated)>();
        var instant = 0;
        while (instant < market.Instants.Length && market.Instants[instant] < sessions[first].Open)
            instant++;

        for (var s = first; s < sessions.Length; s++)
        {
            var session = sessions[s];
            var minutes = (int)(session.Close - session.Open).TotalMinutes;
            var planned = new List<(DateTime At, int Ticker, bool Sell, decimal Amount)>();
            if (s == first)
            {
                var n = rng.Next(2, 6);
                for (var k = 0; k < n; k++)
                    planned.Add((session.Open.UtcDateTime.AddMinutes(5 + k), rng.Next(market.Tickers.Length), false, rng.Next(1000, 5001)));
            }
            else if (rng.NextDouble() < chance)
            {
                var at = session.Open.UtcDateTime.AddMinutes(rng.Next(5, minutes - 5)).AddSeconds(rng.Next(60));
                var sell = positions.Count(p => p.Value.Position.Quantity >= 1m) > 0 && rng.NextDouble() < 0.4;
                planned.Add((at, rng.Next(market.Tickers.Length), sell, rng.Next(300, 3001)));
            }

            var p = 0;
            void ApplyUntil(DateTime until)
            {
                for (; p < planned.Count && planned[p].At <= until; p++)
                {
                    var (at, ticker, sell, amount) = planned[p];
                    if (sell)
                    {
                        var held = positions.Where(x => x.Value.Position.Quantity >= 1m).Select(x => x.Key).Order().ToList();
                        ticker = held[rng.Next(held.Count)];
                    }
                    var price = market.Sim.QuoteAt(market.Tickers[ticker], at).Price;
                    var current = positions.TryGetValue(ticker, out var found) ? found : (Position: new Position(0m, 0m), Opened: at, Updated: at);
                    decimal quantity;
                    if (sell)
                    {
                        var whole = decimal.Floor(current.Position.Quantity);
                        quantity = rng.NextDouble() < 0.3 ? current.Position.Quantity : Math.Max(1m, decimal.Floor(whole / 2));
                    }
                    else
                    {
                        quantity = Math.Max(1m, decimal.Floor(amount / price));
                    }
                    var total = TradeMath.Total(quantity, price);
                    var action = sell ? TradeAction.Sell : TradeAction.Buy;
                    cash = cash.Apply(action, total);
                    var opened = current.Position.Quantity == 0m ? at : current.Opened;
                    positions[ticker] = (current.Position.Apply(action, quantity, total), opened, at);
                    history.Trades.Add(new SeedTrade(ticker, action, quantity, price, total, at, cash.CapitalDeployed, cash.CashProceeds));
                    history.CashUpdatedAt = at;
                }
            }

            for (; instant < market.Instants.Length && market.Instants[instant] <= session.Close; instant++)
            {
                var at = market.Instants[instant].UtcDateTime;
                ApplyUntil(at);
                if (cash.CapitalDeployed > 0m)
                    history.Intraday.Add(Value(at, DateOnly.MinValue, positions, cash, market.IntradayPrices, instant));
            }
            ApplyUntil(session.Close.UtcDateTime);
            history.Daily.Add(Value(session.Close.UtcDateTime, session.Date, positions, cash, market.Closes, s));
        }

        history.Cash = cash;
        foreach (var (ticker, (position, opened, updated)) in positions.OrderBy(x => x.Key))
        {
            if (position.Quantity > 0m)
                history.Holdings.Add(new SeedHolding(ticker, position.Quantity, position.AverageCost, opened, updated));
        }
        return history;
    }

    static SeedSnapshot Value(DateTime at, DateOnly date, Dictionary<int, (Position Position, DateTime Opened, DateTime Updated)> positions,
        CashState cash, decimal[][] prices, int column)
    {
        var stock = 0m;
        foreach (var (ticker, (position, _, _)) in positions)
        {
            if (position.Quantity > 0m)
                stock += position.Quantity * prices[ticker][column];
        }
        stock = decimal.Round(stock, 4, MidpointRounding.AwayFromZero);
        return new SeedSnapshot(date, at, stock + cash.CashProceeds, stock, cash.CashProceeds, cash.CapitalDeployed);
    }

    /// <summary>Writes chunks of histories: binary COPY on PostgreSQL, prepared inserts in a transaction on SQLite.</summary>
    sealed class Sink
    {
        readonly DbConnection _connection;
        readonly bool _postgres;

        Sink(DbConnection connection)
        {
            _connection = connection;
            _postgres = connection is NpgsqlConnection;
        }

        public static async Task<Sink> OpenAsync(AppDbContext db, CancellationToken ct)
        {
            await db.Database.OpenConnectionAsync(ct);
            return new Sink(db.Database.GetDbConnection());
        }

        static readonly (string Name, NpgsqlDbType Type)[] UserColumns =
        [
            ("id", NpgsqlDbType.Bigint), ("email", NpgsqlDbType.Varchar), ("normalized_email", NpgsqlDbType.Varchar),
            ("username", NpgsqlDbType.Varchar), ("normalized_username", NpgsqlDbType.Varchar), ("display_name", NpgsqlDbType.Varchar),
            ("time_zone", NpgsqlDbType.Varchar), ("password_hash", NpgsqlDbType.Varchar), ("is_agent", NpgsqlDbType.Boolean),
            ("created_at", NpgsqlDbType.TimestampTz),
        ];
        static readonly (string, NpgsqlDbType)[] CashColumns =
        [
            ("user_id", NpgsqlDbType.Bigint), ("capital_deployed", NpgsqlDbType.Numeric), ("cash_proceeds", NpgsqlDbType.Numeric),
            ("version", NpgsqlDbType.Bigint), ("updated_at", NpgsqlDbType.TimestampTz),
        ];
        static readonly (string, NpgsqlDbType)[] HoldingColumns =
        [
            ("user_id", NpgsqlDbType.Bigint), ("ticker", NpgsqlDbType.Varchar), ("quantity", NpgsqlDbType.Numeric),
            ("average_cost", NpgsqlDbType.Numeric), ("opened_at", NpgsqlDbType.TimestampTz), ("updated_at", NpgsqlDbType.TimestampTz),
        ];
        static readonly (string, NpgsqlDbType)[] TradeColumns =
        [
            ("user_id", NpgsqlDbType.Bigint), ("ticker", NpgsqlDbType.Varchar), ("action", NpgsqlDbType.Varchar),
            ("quantity", NpgsqlDbType.Numeric), ("price", NpgsqlDbType.Numeric), ("total", NpgsqlDbType.Numeric),
            ("executed_at", NpgsqlDbType.TimestampTz), ("price_source", NpgsqlDbType.Varchar), ("market_session", NpgsqlDbType.Varchar),
            ("capital_deployed_after", NpgsqlDbType.Numeric), ("cash_proceeds_after", NpgsqlDbType.Numeric),
        ];
        static readonly (string, NpgsqlDbType)[] DailyColumns =
        [
            ("user_id", NpgsqlDbType.Bigint), ("date", NpgsqlDbType.Date), ("at", NpgsqlDbType.TimestampTz),
            ("total_value", NpgsqlDbType.Numeric), ("stock_value", NpgsqlDbType.Numeric), ("cash_proceeds", NpgsqlDbType.Numeric),
            ("capital_deployed", NpgsqlDbType.Numeric),
        ];
        static readonly (string, NpgsqlDbType)[] IntradayColumns =
        [
            ("user_id", NpgsqlDbType.Bigint), ("at", NpgsqlDbType.TimestampTz), ("total_value", NpgsqlDbType.Numeric),
            ("stock_value", NpgsqlDbType.Numeric), ("cash_proceeds", NpgsqlDbType.Numeric), ("capital_deployed", NpgsqlDbType.Numeric),
        ];
        static readonly (string, NpgsqlDbType)[] PriceColumns =
        [
            ("ticker", NpgsqlDbType.Varchar), ("date", NpgsqlDbType.Date), ("open", NpgsqlDbType.Numeric), ("close", NpgsqlDbType.Numeric),
            ("source", NpgsqlDbType.Varchar), ("recorded_at", NpgsqlDbType.TimestampTz),
        ];
        static readonly (string, NpgsqlDbType)[] IntradayPriceColumns =
        [
            ("ticker", NpgsqlDbType.Varchar), ("at", NpgsqlDbType.TimestampTz), ("price", NpgsqlDbType.Numeric),
        ];
        static readonly (string, NpgsqlDbType)[] SubscriptionColumns =
        [
            ("subscriber_user_id", NpgsqlDbType.Bigint), ("creator_user_id", NpgsqlDbType.Bigint), ("tier", NpgsqlDbType.Varchar),
            ("price", NpgsqlDbType.Numeric), ("status", NpgsqlDbType.Varchar), ("started_at", NpgsqlDbType.TimestampTz),
            ("current_period_end", NpgsqlDbType.TimestampTz), ("platform", NpgsqlDbType.Varchar),
        ];
        static readonly (string, NpgsqlDbType)[] DeviceColumns =
        [
            ("token", NpgsqlDbType.Varchar), ("user_id", NpgsqlDbType.Bigint), ("platform", NpgsqlDbType.Varchar),
            ("created_at", NpgsqlDbType.TimestampTz), ("last_seen_at", NpgsqlDbType.TimestampTz),
        ];

        public async Task WriteSocialAsync(Social social, CancellationToken ct)
        {
            DbTransaction? tx = _postgres ? null : await _connection.BeginTransactionAsync(ct);
            await WriteAsync("subscriptions", SubscriptionColumns, social.Subscriptions.Select(x => new object?[]
            {
                x.SubscriberId, x.CreatorId, SubscriptionOptions.DefaultTier, x.Price, SubscriptionStatus.Active, x.StartedAt, x.PeriodEnd, x.Platform,
            }), tx, ct);
            await WriteAsync("device_tokens", DeviceColumns, social.Devices.Select(d => new object?[]
            {
                d.Token, d.UserId, d.Platform, d.CreatedAt, d.CreatedAt,
            }), tx, ct);
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
                await tx.DisposeAsync();
            }
        }

        public async Task WriteChunkAsync(UserHistory[] histories, string[] tickers, CancellationToken ct)
        {
            DbTransaction? tx = _postgres ? null : await _connection.BeginTransactionAsync(ct);
            await WriteAsync("users", UserColumns, histories.Select(h => new object?[]
            {
                h.User.Id, h.User.Email, h.User.Email.ToLowerInvariant(), h.User.Username, h.User.Username.ToLowerInvariant(),
                h.User.DisplayName, "America/New_York", h.User.PasswordHash, h.User.IsAgent, h.User.CreatedAt,
            }), tx, ct);
            await WriteAsync("cash_accounts", CashColumns, histories.Select(h => new object?[]
            {
                h.User.Id, h.Cash.CapitalDeployed, h.Cash.CashProceeds, (long)h.Trades.Count,
                h.Trades.Count > 0 ? h.CashUpdatedAt : h.User.CreatedAt,
            }), tx, ct);
            await WriteAsync("holdings", HoldingColumns, histories.SelectMany(h => h.Holdings.Select(x => new object?[]
            {
                h.User.Id, Ticker(x.Ticker), x.Quantity, x.AverageCost, x.OpenedAt, x.UpdatedAt,
            })), tx, ct);
            await WriteAsync("transactions", TradeColumns, histories.SelectMany(h => h.Trades.Select(t => new object?[]
            {
                h.User.Id, Ticker(t.Ticker), t.Action.ToString(), t.Quantity, t.Price, t.Total, t.ExecutedAt,
                SimulatedQuoteProvider.ProviderName, "regular", t.CapitalAfter, t.ProceedsAfter,
            })), tx, ct);
            await WriteAsync("daily_snapshots", DailyColumns, histories.SelectMany(h => h.Daily.Select(d => new object?[]
            {
                h.User.Id, d.Date, d.At, d.Total, d.Stock, d.Proceeds, d.Capital,
            })), tx, ct);
            await WriteAsync("intraday_snapshots", IntradayColumns, histories.SelectMany(h => h.Intraday.Select(d => new object?[]
            {
                h.User.Id, d.At, d.Total, d.Stock, d.Proceeds, d.Capital,
            })), tx, ct);
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
                await tx.DisposeAsync();
            }

            string Ticker(int index) => tickers[index];
        }

        /// <summary>Every pool ticker's open and close on every session (held tickers and SPY among them), and SPY at every intraday instant.</summary>
        public async Task<long> WritePricesAsync(Market market, DateTime recordedAt, CancellationToken ct)
        {
            var first = market.Sessions[0].Date;
            var last = market.Sessions[^1].Date;
            await using (var delete = _connection.CreateCommand())
            {
                // Prices the service recorded before the seed (the price-refresh job) are replaced by the same simulated values.
                delete.CommandText = "DELETE FROM daily_prices WHERE date >= @first AND date <= @last";
                AddParameter(delete, "@first", first);
                AddParameter(delete, "@last", last);
                await delete.ExecuteNonQueryAsync(ct);
            }
            await using (var delete = _connection.CreateCommand())
            {
                delete.CommandText = "DELETE FROM intraday_prices WHERE ticker = 'SPY'";
                await delete.ExecuteNonQueryAsync(ct);
            }
            DbTransaction? tx = _postgres ? null : await _connection.BeginTransactionAsync(ct);
            var rows = new List<object?[]>();
            for (var t = 0; t < market.Tickers.Length; t++)
            {
                for (var s = 0; s < market.Sessions.Length; s++)
                    rows.Add([market.Tickers[t], market.Sessions[s].Date, market.Opens[t][s], market.Closes[t][s], SimulatedQuoteProvider.ProviderName, recordedAt]);
            }
            await WriteAsync("daily_prices", PriceColumns, rows, tx, ct);
            var spy = Array.IndexOf(market.Tickers, "SPY");
            if (spy >= 0)
            {
                await WriteAsync("intraday_prices", IntradayPriceColumns,
                    market.Instants.Select((at, i) => new object?[] { "SPY", at.UtcDateTime, market.IntradayPrices[spy][i] }), tx, ct);
            }
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
                await tx.DisposeAsync();
            }
            return rows.Count;
        }

        public async Task FinishAsync(CancellationToken ct)
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = _postgres
                ? "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users)); ANALYZE;"
                : "ANALYZE;";
            await command.ExecuteNonQueryAsync(ct);
        }

        async Task WriteAsync(string table, (string Name, NpgsqlDbType Type)[] columns, IEnumerable<object?[]> rows, DbTransaction? tx, CancellationToken ct)
        {
            var names = string.Join(", ", columns.Select(c => c.Name));
            if (_connection is NpgsqlConnection npgsql)
            {
                await using var copy = await npgsql.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", ct);
                foreach (var row in rows)
                {
                    await copy.StartRowAsync(ct);
                    for (var i = 0; i < columns.Length; i++)
                    {
                        if (row[i] is null)
                            await copy.WriteNullAsync(ct);
                        else
                            await WriteValueAsync(copy, row[i]!, columns[i].Type, ct);
                    }
                }
                await copy.CompleteAsync(ct);
                return;
            }

            await using var command = _connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
            var parameters = columns.Select((_, i) =>
            {
                var p = command.CreateParameter();
                p.ParameterName = "$p" + i.ToString(CultureInfo.InvariantCulture);
                command.Parameters.Add(p);
                return p;
            }).ToArray();
            command.Prepare();
            foreach (var row in rows)
            {
                for (var i = 0; i < parameters.Length; i++)
                    parameters[i].Value = row[i] ?? DBNull.Value;
                // Synchronous on purpose: SQLite has no real async I/O, and the async wrapper costs more than the insert.
                command.ExecuteNonQuery();
            }
        }

        static Task WriteValueAsync(NpgsqlBinaryImporter copy, object value, NpgsqlDbType type, CancellationToken ct) => value switch
        {
            long l => copy.WriteAsync(l, type, ct),
            int i => copy.WriteAsync(i, type, ct),
            decimal d => copy.WriteAsync(d, type, ct),
            bool b => copy.WriteAsync(b, type, ct),
            string s => copy.WriteAsync(s, type, ct),
            DateTime t => copy.WriteAsync(t, type, ct),
            DateOnly d => copy.WriteAsync(d, type, ct),
            _ => throw new InvalidOperationException($"Unexpected {value.GetType()} in a seed row."),
        };

        static void AddParameter(DbCommand command, string name, DateOnly value)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
    }

    static int IntOption(string[] args, string name, int fallback, int min = 1)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) && value >= min ? value : fallback;
    }

    /// <summary>"5%" or "0.05".</summary>
    static double ShareOption(string[] args, string name, double fallback)
    {
        var at = Array.IndexOf(args, name);
        if (at < 0 || at + 1 >= args.Length)
            return fallback;
        var text = args[at + 1].Trim();
        var percent = text.EndsWith('%');
        return double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? Math.Clamp(percent ? value / 100 : value, 0, 1)
            : fallback;
    }
}

public sealed class SeedRefusedException(string message) : Exception(message);

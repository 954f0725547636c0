using System.Text;
using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// Made-up but plausible prices for the <see cref="StockUniverse"/>, for development and demos without an API key.
/// A price is a pure function of (ticker, instant): no state, no clock-seeded randomness, no walk from an epoch,
/// so every process, test and restart agrees and any past or future instant costs O(1).
/// </summary>
/// <remarks>
/// Daily closes: log close = log base + volatility × (market loading × M(day) + own loading × I(day)), where M and I
/// are sums of sinusoids (periods 9, 31, 97, 365 days) plus a clamped Gaussian daily shock. The shared market
/// factor M makes stocks and index ETFs drift together. The open is the previous session's close times a small gap.
/// Intraday the log price follows a Brownian bridge from open to close (truncated Karhunen–Loève series) plus a
/// tiny per-minute jitter, evaluated on the minute so the price is constant within a minute.
/// </remarks>
public sealed class SimulatedQuoteProvider : IQuoteProvider
{
    public const string ProviderName = "simulated";

    private static readonly double[] Periods = [9, 31, 97, 365];
    private static readonly double[] Amplitudes = [0.015, 0.03, 0.06, 0.12];

    // Normals are clamped so no single shock can produce an absurd move, whatever the hash says.
    private const double NormalClamp = 4;
    private const double MarketShock = 0.008;
    private const double OwnShock = 0.01;
    private const double GapShock = 0.004;
    private const double IntradaySigma = 0.012;
    private const double MinuteJitter = 0.0004;
    private const int BridgeTerms = 24;

    private const ulong MarketSeedTicker = 0x6D61726B65742121; // the shared factor gets its own seed, unrelated to any ticker

    private enum Stream : ulong { Phase = 1, DailyShock, Gap, Bridge, Jitter }

    private readonly MarketCalendar calendar;
    private readonly StockUniverse universe;
    private readonly TimeProvider clock;

    public SimulatedQuoteProvider(MarketCalendar calendar, StockUniverse universe, TimeProvider clock)
    {
        this.calendar = calendar;
        this.universe = universe;
        this.clock = clock;
    }

    public string Name => ProviderName;

    public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tickers);
        var now = clock.GetUtcNow();
        var state = calendar.GetState(now);
        var quotes = new Dictionary<string, Quote>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in tickers)
        {
            var ticker = StockUniverse.Normalize(raw);
            if (!quotes.ContainsKey(ticker) && universe.TryGetEntry(ticker, out var entry))
            {
                quotes[ticker] = QuoteAt(entry, now, state.Session);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, Quote>>(quotes);
    }

    public Task<decimal?> GetSessionOpenAsync(string ticker, DateOnly sessionDate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticker);
        return Task.FromResult(
            universe.TryGetEntry(StockUniverse.Normalize(ticker), out var entry) ? OpenOn(entry, sessionDate) : null);
    }

    public Task<IReadOnlyList<SessionPrices>> GetDailyPricesAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (!universe.TryGetEntry(StockUniverse.Normalize(ticker), out var entry))
        {
            return Task.FromResult<IReadOnlyList<SessionPrices>>([]);
        }
        // Only sessions that have closed by now have an official close.
        var today = MarketCalendar.ExchangeDate(clock.GetUtcNow());
        var last = calendar.GetSession(today) is { } s && clock.GetUtcNow() >= s.Close ? today : today.AddDays(-1);
        var until = to < last ? to : last;
        if (until < from)
        {
            return Task.FromResult<IReadOnlyList<SessionPrices>>([]);
        }
        var prices = calendar.GetSessions(from, until)
            .Select(session => new SessionPrices(session.Date, ToMoney(LogOpen(entry, session.Date)), ToMoney(LogClose(entry, session.Date))))
            .ToList();
        return Task.FromResult<IReadOnlyList<SessionPrices>>(prices);
    }

    public Task<CompanyProfile?> GetProfileAsync(string ticker, CancellationToken cancellationToken) =>
        Task.FromResult(universe.TryGet(StockUniverse.Normalize(ticker), out var info)
            ? new CompanyProfile(info.Ticker, info.Name, info.Sector, info.Industry, null)
            : null);

    /// <summary>The simulated quote of a universe ticker at an instant.</summary>
    /// <exception cref="ArgumentException">The ticker is not in the universe.</exception>
    public Quote QuoteAt(string ticker, DateTimeOffset instant) =>
        QuoteAt(universe.GetEntry(ticker), instant, calendar.GetState(instant).Session);

    /// <summary>
    /// The daily close of the latest session on or before <paramref name="sessionDate"/> (so a weekend or holiday
    /// gives the last close before it).
    /// </summary>
    /// <exception cref="ArgumentException">The ticker is not in the universe.</exception>
    public decimal CloseOn(string ticker, DateOnly sessionDate)
    {
        var entry = universe.GetEntry(ticker);
        var session = calendar.GetSession(sessionDate) ?? calendar.PreviousSession(sessionDate);
        return ToMoney(LogClose(entry, session.Date));
    }

    /// <summary>The opening price of a session, or null when the market is closed that date.</summary>
    /// <exception cref="ArgumentException">The ticker is not in the universe.</exception>
    public decimal? OpenOn(string ticker, DateOnly sessionDate) => OpenOn(universe.GetEntry(ticker), sessionDate);

    private decimal? OpenOn(UniverseEntry entry, DateOnly sessionDate) =>
        calendar.GetSession(sessionDate) is { } session ? ToMoney(LogOpen(entry, session.Date)) : null;

    private Quote QuoteAt(UniverseEntry entry, DateTimeOffset instant, MarketSessionKind sessionKind)
    {
        var ticker = entry.Info.Ticker;
        var today = calendar.GetSession(MarketCalendar.ExchangeDate(instant));

        if (today is not null && instant >= today.Open && instant < today.Close)
        {
            var previousClose = ToMoney(LogClose(entry, calendar.PreviousSession(today.Date).Date));
            var price = ToMoney(LogIntraday(entry, today, instant));
            return new Quote(ticker, price, previousClose, instant, ProviderName, sessionKind, ToMoney(LogOpen(entry, today.Date)));
        }

        // Outside the regular session the price is the last close, stamped with the instant it was set.
        var last = today is not null && instant >= today.Close ? today : calendar.PreviousSession(MarketCalendar.ExchangeDate(instant));
        var lastClose = ToMoney(LogClose(entry, last.Date));
        var closeBefore = ToMoney(LogClose(entry, calendar.PreviousSession(last.Date).Date));
        return new Quote(ticker, lastClose, closeBefore, last.Close, ProviderName, sessionKind, ToMoney(LogOpen(entry, last.Date)));
    }

    private double LogIntraday(UniverseEntry entry, TradingSession session, DateTimeOffset instant)
    {
        var logOpen = LogOpen(entry, session.Date);
        var logClose = LogClose(entry, session.Date);

        // Sampling on whole minutes since the open keeps the price constant within a minute; the open is on a
        // minute boundary so these are clock minutes. Using the real open/close handles early closes and DST.
        var minute = (long)Math.Floor((instant - session.Open).TotalMinutes);
        var f = Math.Clamp(minute / (session.Close - session.Open).TotalMinutes, 0, 1);
        if (f == 0)
        {
            return logOpen;
        }

        var seed = TickerSeed(entry.Info.Ticker);
        var day = session.Date.DayNumber;
        var sigma = IntradaySigma * entry.Volatility * OwnLoading(entry);

        // Brownian bridge B(f) = Σ Z_k √2 sin(kπf) / (kπ): zero at both ends, variance ≈ f(1−f).
        var bridge = 0.0;
        for (var k = 1; k <= BridgeTerms; k++)
        {
            bridge += Normal(seed, Stream.Bridge, day, k) * Math.Sqrt(2) * Math.Sin(k * Math.PI * f) / (k * Math.PI);
        }

        var jitter = MinuteJitter * entry.Volatility * Math.Sqrt(f * (1 - f)) * Normal(seed, Stream.Jitter, day, minute);
        return logOpen + (f * (logClose - logOpen)) + (sigma * bridge) + jitter;
    }

    private double LogOpen(UniverseEntry entry, DateOnly sessionDate)
    {
        var previous = calendar.PreviousSession(sessionDate);
        var gap = GapShock * entry.Volatility * Normal(TickerSeed(entry.Info.Ticker), Stream.Gap, sessionDate.DayNumber, 0);
        return LogClose(entry, previous.Date) + gap;
    }

    /// <summary>Log of the close on a date; defined for any date, only meaningful for sessions.</summary>
    private static double LogClose(UniverseEntry entry, DateOnly date)
    {
        var day = date.DayNumber;
        var market = Factor(MarketSeedTicker, day, MarketShock);
        var own = Factor(TickerSeed(entry.Info.Ticker), day, OwnShock);
        return Math.Log((double)entry.BasePrice)
            + (entry.Volatility * ((MarketLoading(entry) * market) + (OwnLoading(entry) * own)));
    }

    private static double Factor(ulong seed, int day, double shock)
    {
        var value = 0.0;
        for (var i = 0; i < Periods.Length; i++)
        {
            var phase = 2 * Math.PI * Uniform(seed, Stream.Phase, i, 0);
            value += Amplitudes[i] * Math.Sin((2 * Math.PI * day / Periods[i]) + phase);
        }

        return value + (shock * Normal(seed, Stream.DailyShock, day, 0));
    }

    // Index funds are mostly market; single stocks mostly their own story.
    private static double MarketLoading(UniverseEntry entry) => entry.Info.Kind == AssetKind.Etf ? 0.7 : 0.5;

    private static double OwnLoading(UniverseEntry entry) => entry.Info.Kind == AssetKind.Etf ? 0.25 : 0.85;

    private static decimal ToMoney(double logPrice)
    {
        var price = Math.Round((decimal)Math.Exp(logPrice), 2, MidpointRounding.AwayFromZero);
        return Math.Max(price, 0.01m);
    }

    /// <summary>FNV-1a over the UTF-8 ticker: stable across processes and runtimes, unlike string.GetHashCode.</summary>
    private static ulong TickerSeed(string ticker)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(ticker))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    private static ulong Hash(ulong seed, Stream stream, long a, long b)
    {
        var h = Mix(seed ^ ((ulong)stream * 0x9E3779B97F4A7C15UL));
        h = Mix(h ^ unchecked((ulong)a));
        return Mix(h ^ unchecked((ulong)b));
    }

    /// <summary>SplitMix64 finaliser: a cheap full-avalanche 64-bit mix.</summary>
    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, 1) from the top 53 bits.</summary>
    private static double Uniform(ulong seed, Stream stream, long a, long b) =>
        (Hash(seed, stream, a, b) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by Box–Muller on two hash-derived uniforms, clamped to ±4σ.</summary>
    private static double Normal(ulong seed, Stream stream, long a, long b)
    {
        var h = Hash(seed, stream, a, b);
        var u1 = 1.0 - ((h >> 11) * (1.0 / (1UL << 53)));
        var u2 = (Mix(h) >> 11) * (1.0 / (1UL << 53));
        var z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Clamp(z, -NormalClamp, NormalClamp);
    }
}

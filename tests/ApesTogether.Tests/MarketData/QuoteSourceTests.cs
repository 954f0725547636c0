using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using ApesTogether.Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ApesTogether.Tests.MarketData;

public sealed class QuoteSourceTests
{
    static readonly MarketCalendar Calendar = new(Options.Create(new MarketCalendarOptions()));
    static readonly StockUniverse Universe = new();

    /// <summary>The simulator, counting the calls and optionally failing or waiting: the vendor edge, not our own code.</summary>
    sealed class CountingProvider(IQuoteProvider inner) : IQuoteProvider
    {
        public int Calls;
        public bool Fail;
        public TaskCompletionSource? Gate;
        public string Name => inner.Name;

        public async Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> tickers, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (Gate is not null)
            {
                await Gate.Task;
            }
            return Fail ? throw new InvalidOperationException("vendor down") : await inner.GetQuotesAsync(tickers, cancellationToken);
        }

        public Task<decimal?> GetSessionOpenAsync(string ticker, DateOnly sessionDate, CancellationToken cancellationToken) =>
            inner.GetSessionOpenAsync(ticker, sessionDate, cancellationToken);

        public Task<CompanyProfile?> GetProfileAsync(string ticker, CancellationToken cancellationToken) => inner.GetProfileAsync(ticker, cancellationToken);

        public Task<IReadOnlyList<SessionPrices>> GetDailyPricesAsync(string ticker, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
            inner.GetDailyPricesAsync(ticker, from, to, cancellationToken);
    }

    static (QuoteSource Source, CountingProvider Provider) Create(FakeTimeProvider clock)
    {
        var provider = new CountingProvider(new SimulatedQuoteProvider(Calendar, Universe, clock));
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var source = new QuoteSource(provider, Universe, Calendar, clock, Options.Create(new MarketDataOptions()),
            new ApesMetrics(meters), NullLogger<QuoteSource>.Instance);
        return (source, provider);
    }

    static DateTimeOffset Utc(int y, int m, int d, int h, int min) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    [Theory]
    // In session: 90 s.
    [InlineData("2026-03-02T15:00:00Z", "2026-03-02T15:01:30Z")]
    // 60 s before the close: never past the close, so the first quote after it is the close.
    [InlineData("2026-03-02T20:59:00Z", "2026-03-02T21:00:00Z")]
    // After the close: until the next open.
    [InlineData("2026-03-02T21:30:00Z", "2026-03-03T14:30:00Z")]
    // Friday evening: over the weekend and the DST switch to Monday's open.
    [InlineData("2026-03-06T22:00:00Z", "2026-03-09T13:30:00Z")]
    // Holiday (Good Friday 2026-04-03): until Monday's open.
    [InlineData("2026-04-03T15:00:00Z", "2026-04-06T13:30:00Z")]
    // Early close (the day after Thanksgiving, 13:00 New York): until Monday.
    [InlineData("2026-11-27T18:30:00Z", "2026-11-30T14:30:00Z")]
    public void A_quote_lives_90_seconds_in_session_and_until_the_next_open_otherwise(string now, string expiry)
    {
        var (source, _) = Create(new FakeTimeProvider(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));

        var expires = source.ExpiryFor(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expiry, System.Globalization.CultureInfo.InvariantCulture), expires);
    }

    [Fact]
    public async Task A_cached_quote_is_served_until_it_expires_and_then_fetched_again()
    {
        var clock = new FakeTimeProvider(Utc(2026, 3, 2, 15, 0));
        var (source, provider) = Create(clock);

        await source.GetQuoteAsync("AAPL", TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(89));
        await source.GetQuoteAsync("AAPL", TestContext.Current.CancellationToken);
        var callsWithinLifetime = provider.Calls;
        clock.Advance(TimeSpan.FromSeconds(1));
        await source.GetQuoteAsync("AAPL", TestContext.Current.CancellationToken);

        Assert.Equal(1, callsWithinLifetime);
        Assert.Equal(2, provider.Calls);
        Assert.Equal(1, source.Stats.Hits);
        Assert.Equal(2, source.Stats.Misses);
    }

    [Fact]
    public async Task Fifty_concurrent_callers_of_one_missing_ticker_cause_one_fetch()
    {
        var clock = new FakeTimeProvider(Utc(2026, 3, 2, 15, 0));
        var (source, provider) = Create(clock);
        provider.Gate = new TaskCompletionSource();

        var callers = Enumerable.Range(0, 50).Select(_ => source.GetQuoteAsync("MSFT", TestContext.Current.CancellationToken)).ToList();
        provider.Gate.SetResult();
        var quotes = await Task.WhenAll(callers);

        Assert.Equal(1, provider.Calls);
        Assert.Single(quotes.Select(q => q.Price).Distinct());
    }

    [Fact]
    public async Task When_the_provider_fails_views_get_the_last_price_marked_stale_and_trades_get_quote_unavailable()
    {
        var clock = new FakeTimeProvider(Utc(2026, 3, 2, 15, 0));
        var (source, provider) = Create(clock);
        var first = await source.GetQuoteAsync("NVDA", TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMinutes(5));
        provider.Fail = true;

        var view = await source.TryGetQuotesAsync(["NVDA"], TestContext.Current.CancellationToken);
        var trade = await Assert.ThrowsAsync<QuoteUnavailableException>(() => source.GetQuoteAsync("NVDA", TestContext.Current.CancellationToken));

        Assert.True(view["NVDA"].Stale);
        Assert.Equal(first.Price, view["NVDA"].Price);
        Assert.Equal(first.AsOf, view["NVDA"].AsOf);
        Assert.Equal("NVDA", trade.Ticker);
        Assert.Equal(1, source.Stats.StaleServed);
    }

    [Fact]
    public async Task A_ticker_never_priced_is_absent_from_views_when_the_provider_fails()
    {
        var clock = new FakeTimeProvider(Utc(2026, 3, 2, 15, 0));
        var (source, provider) = Create(clock);
        provider.Fail = true;

        var view = await source.TryGetQuotesAsync(["AMD"], TestContext.Current.CancellationToken);

        Assert.Empty(view);
    }

    [Fact]
    public async Task The_refresher_path_fetches_in_batches_whatever_the_cache_holds()
    {
        var clock = new FakeTimeProvider(Utc(2026, 3, 2, 15, 0));
        var (source, provider) = Create(clock);
        await source.GetQuoteAsync("AAPL", TestContext.Current.CancellationToken);
        var tickers = Universe.All.Select(s => s.Ticker).Take(25).ToList();

        var priced = await source.RefreshAsync(tickers, batchSize: 10, TestContext.Current.CancellationToken);

        Assert.Equal(25, priced);
        Assert.Equal(1 + 3, provider.Calls);
    }
}

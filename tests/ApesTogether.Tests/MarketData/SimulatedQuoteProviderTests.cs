using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.MarketData;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ApesTogether.Tests.MarketData;

public sealed class SimulatedQuoteProviderTests
{
    private static readonly MarketCalendar Calendar = new(Options.Create(new MarketCalendarOptions()));
    private static readonly StockUniverse Universe = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // 2026-03-06 is a Friday, 2026-03-07/08 the weekend (DST starts on the 8th), 2026-03-09 a Monday.
    private static readonly DateOnly Friday = new(2026, 3, 6);
    private static readonly DateOnly Monday = new(2026, 3, 9);

    [Fact]
    public async Task Same_instant_gives_the_same_quote_from_two_provider_instances()
    {
        var instant = Et(2026, 3, 5, 11, 17, 42);
        var first = Provider(instant);
        var second = Provider(instant);

        var a = await first.GetQuotesAsync(["AAPL", "TSLA", "SPY"], Ct);
        var b = await second.GetQuotesAsync(["AAPL", "TSLA", "SPY"], Ct);

        Assert.Equal(a["AAPL"], b["AAPL"]);
        Assert.Equal(a["TSLA"], b["TSLA"]);
        Assert.Equal(a["SPY"], b["SPY"]);
    }

    [Fact]
    public void Price_is_constant_within_a_minute()
    {
        var provider = Provider(Et(2026, 3, 5, 12, 0));

        var start = provider.QuoteAt("NVDA", Et(2026, 3, 5, 13, 41, 0)).Price;
        var middle = provider.QuoteAt("NVDA", Et(2026, 3, 5, 13, 41, 30)).Price;
        var end = provider.QuoteAt("NVDA", Et(2026, 3, 5, 13, 41, 59).AddMilliseconds(999)).Price;

        Assert.Equal(start, middle);
        Assert.Equal(start, end);
    }

    [Fact]
    public void Price_moves_during_the_session()
    {
        var provider = Provider(Et(2026, 3, 5, 12, 0));

        var prices = Enumerable.Range(0, 390)
            .Select(minute => provider.QuoteAt("MSFT", Et(2026, 3, 5, 9, 30).AddMinutes(minute)).Price)
            .ToList();

        Assert.True(prices.Distinct().Count() > 100, $"only {prices.Distinct().Count()} distinct prices");
    }

    [Fact]
    public void Intraday_prices_stay_close_to_the_open_and_close()
    {
        var provider = Provider(Et(2026, 3, 5, 12, 0));
        var date = new DateOnly(2026, 3, 5);
        var open = provider.OpenOn("TSLA", date)!.Value;
        var close = provider.CloseOn("TSLA", date);

        var prices = Enumerable.Range(0, 390)
            .Select(minute => provider.QuoteAt("TSLA", Et(2026, 3, 5, 9, 30).AddMinutes(minute)).Price)
            .ToList();

        var low = Math.Min(open, close) * 0.9m;
        var high = Math.Max(open, close) * 1.1m;
        Assert.All(prices, p => Assert.InRange(p, low, high));
    }

    [Fact]
    public async Task Price_at_the_open_instant_equals_the_session_open()
    {
        var open = Et(2026, 3, 5, 9, 30);
        var provider = Provider(open);

        var quotes = await provider.GetQuotesAsync(["AAPL"], Ct);
        var sessionOpen = await provider.GetSessionOpenAsync("AAPL", new DateOnly(2026, 3, 5), Ct);

        Assert.Equal(sessionOpen, quotes["AAPL"].Price);
        Assert.Equal(MarketSessionKind.Regular, quotes["AAPL"].Session);
    }

    [Fact]
    public void Price_at_the_open_is_right_on_the_first_day_of_daylight_saving_time()
    {
        var provider = Provider(Et(2026, 3, 9, 9, 30));

        var atOpen = provider.QuoteAt("AAPL", Et(2026, 3, 9, 9, 30)).Price;
        var justBefore = provider.QuoteAt("AAPL", Et(2026, 3, 9, 9, 29, 59));

        Assert.Equal(provider.OpenOn("AAPL", Monday), atOpen);
        Assert.Equal(provider.CloseOn("AAPL", Friday), justBefore.Price);
    }

    [Fact]
    public void Session_open_is_the_previous_close_with_a_small_gap()
    {
        var provider = Provider(Et(2026, 3, 9, 12, 0));

        var open = provider.OpenOn("KO", Monday)!.Value;
        var previousClose = provider.CloseOn("KO", Friday);

        Assert.InRange(open / previousClose, 0.97m, 1.03m);
    }

    [Fact]
    public void Price_after_the_close_equals_that_days_close_and_is_stamped_at_the_close()
    {
        var provider = Provider(Et(2026, 3, 5, 12, 0));
        var closeInstant = Et(2026, 3, 5, 16, 0);

        var atClose = provider.QuoteAt("JPM", closeInstant);
        var evening = provider.QuoteAt("JPM", Et(2026, 3, 5, 19, 45));

        var close = provider.CloseOn("JPM", new DateOnly(2026, 3, 5));
        Assert.Equal(close, atClose.Price);
        Assert.Equal(close, evening.Price);
        Assert.Equal(closeInstant, evening.AsOf);
        Assert.Equal(provider.CloseOn("JPM", new DateOnly(2026, 3, 4)), evening.PreviousClose);
        Assert.Equal(MarketSessionKind.AfterHours, evening.Session);
    }

    [Fact]
    public async Task Saturday_price_equals_the_friday_close()
    {
        var provider = Provider(Et(2026, 3, 7, 12, 0));

        var quotes = await provider.GetQuotesAsync(["GOOGL"], Ct);

        var quote = quotes["GOOGL"];
        Assert.Equal(provider.CloseOn("GOOGL", Friday), quote.Price);
        Assert.Equal(provider.CloseOn("GOOGL", new DateOnly(2026, 3, 5)), quote.PreviousClose);
        Assert.Equal(Et(2026, 3, 6, 16, 0), quote.AsOf);
        Assert.Equal(MarketSessionKind.Closed, quote.Session);
    }

    [Fact]
    public void CloseOn_a_weekend_date_is_the_friday_close()
    {
        var provider = Provider(Et(2026, 3, 7, 12, 0));

        var sunday = provider.CloseOn("V", new DateOnly(2026, 3, 8));

        Assert.Equal(provider.CloseOn("V", Friday), sunday);
    }

    [Fact]
    public void Price_before_the_open_is_the_previous_close_with_the_close_before_it_as_previous_close()
    {
        var provider = Provider(Et(2026, 3, 9, 8, 0));

        var quote = provider.QuoteAt("AMZN", Et(2026, 3, 9, 8, 0));

        Assert.Equal(provider.CloseOn("AMZN", Friday), quote.Price);
        Assert.Equal(provider.CloseOn("AMZN", new DateOnly(2026, 3, 5)), quote.PreviousClose);
        Assert.Equal(Et(2026, 3, 6, 16, 0), quote.AsOf);
    }

    [Fact]
    public void During_the_session_previous_close_is_the_prior_sessions_close()
    {
        var instant = Et(2026, 3, 9, 10, 15);
        var provider = Provider(instant);

        var quote = provider.QuoteAt("META", instant);

        Assert.Equal(provider.CloseOn("META", Friday), quote.PreviousClose);
        Assert.Equal(instant, quote.AsOf);
        Assert.Equal("simulated", quote.Source);
        Assert.Equal(MarketSessionKind.Regular, quote.Session);
    }

    [Fact]
    public void Good_Friday_price_equals_the_thursday_close()
    {
        var provider = Provider(Et(2026, 4, 3, 12, 0));

        var quote = provider.QuoteAt("XOM", Et(2026, 4, 3, 12, 0));

        Assert.Equal(provider.CloseOn("XOM", new DateOnly(2026, 4, 2)), quote.Price);
        Assert.Null(provider.OpenOn("XOM", new DateOnly(2026, 4, 3)));
    }

    [Fact]
    public void On_an_early_close_day_the_price_after_1pm_is_the_close()
    {
        var dayAfterThanksgiving = new DateOnly(2026, 11, 27);
        var provider = Provider(Et(2026, 11, 27, 12, 0));

        var beforeEarlyClose = provider.QuoteAt("WMT", Et(2026, 11, 27, 12, 59));
        var afterEarlyClose = provider.QuoteAt("WMT", Et(2026, 11, 27, 13, 30));

        Assert.Equal(MarketSessionKind.Regular, beforeEarlyClose.Session);
        Assert.Equal(provider.CloseOn("WMT", dayAfterThanksgiving), afterEarlyClose.Price);
        Assert.Equal(Et(2026, 11, 27, 13, 0), afterEarlyClose.AsOf);
    }

    [Fact]
    public void Last_minute_of_the_session_is_close_to_the_close()
    {
        var provider = Provider(Et(2026, 3, 5, 12, 0));

        var lastMinute = provider.QuoteAt("AMD", Et(2026, 3, 5, 15, 59)).Price;

        var close = provider.CloseOn("AMD", new DateOnly(2026, 3, 5));
        Assert.InRange(lastMinute / close, 0.99m, 1.01m);
    }

    [Fact]
    public async Task Unknown_tickers_are_absent_and_known_ones_are_normalised()
    {
        var provider = Provider(Et(2026, 3, 5, 11, 0));

        var quotes = await provider.GetQuotesAsync(["NOPE", " aapl ", "brk.b", "ZZZZ"], Ct);

        Assert.Equal(2, quotes.Count);
        Assert.Equal("AAPL", quotes["AAPL"].Ticker);
        Assert.Equal("BRK.B", quotes["brk.b"].Ticker);
        Assert.False(quotes.ContainsKey("NOPE"));
    }

    [Fact]
    public async Task Session_open_is_null_for_an_unknown_ticker_or_a_closed_date()
    {
        var provider = Provider(Et(2026, 3, 5, 11, 0));

        var unknown = await provider.GetSessionOpenAsync("NOPE", new DateOnly(2026, 3, 5), Ct);
        var saturday = await provider.GetSessionOpenAsync("AAPL", new DateOnly(2026, 3, 7), Ct);
        var thursday = await provider.GetSessionOpenAsync("AAPL", new DateOnly(2026, 3, 5), Ct);

        Assert.Null(unknown);
        Assert.Null(saturday);
        Assert.NotNull(thursday);
    }

    [Fact]
    public void Unknown_ticker_in_the_synchronous_api_throws()
    {
        var provider = Provider(Et(2026, 3, 5, 11, 0));

        Assert.Throws<ArgumentException>(() => provider.CloseOn("NOPE", Friday));
        Assert.Throws<ArgumentException>(() => provider.QuoteAt("NOPE", Et(2026, 3, 5, 11, 0)));
    }

    [Fact]
    public void Every_ticker_has_positive_plausible_prices_and_daily_moves_over_2026()
    {
        var provider = Provider(Et(2026, 1, 2, 12, 0));
        var sessions = Dates(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31)).Where(Calendar.IsTradingDay).ToList();

        foreach (var stock in Universe.All)
        {
            var basePrice = Universe.BasePrice(stock.Ticker);
            var previous = provider.CloseOn(stock.Ticker, new DateOnly(2025, 12, 31));
            foreach (var date in sessions)
            {
                var close = provider.CloseOn(stock.Ticker, date);
                var open = provider.OpenOn(stock.Ticker, date)!.Value;

                Assert.True(close > 0m && open > 0m, $"{stock.Ticker} {date}: open {open} close {close}");
                Assert.InRange(close / basePrice, 0.4m, 2.5m);
                Assert.True(Math.Abs((close / previous) - 1m) < 0.15m, $"{stock.Ticker} {date}: {previous} -> {close}");
                Assert.True(Math.Abs((open / previous) - 1m) < 0.1m, $"{stock.Ticker} {date}: gap {previous} -> {open}");
                previous = close;
            }
        }
    }

    [Fact]
    public void Closes_vary_over_the_year_but_not_wildly()
    {
        var provider = Provider(Et(2026, 1, 2, 12, 0));
        var sessions = Dates(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31)).Where(Calendar.IsTradingDay).ToList();

        var closes = sessions.Select(d => provider.CloseOn("SPY", d)).ToList();

        var range = closes.Max() / closes.Min();
        Assert.InRange(range, 1.03m, 1.8m);
    }

    private static SimulatedQuoteProvider Provider(DateTimeOffset now) =>
        new(Calendar, Universe, new FakeTimeProvider(now));

    private static IEnumerable<DateOnly> Dates(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            yield return d;
        }
    }

    /// <summary>An instant given as New York wall-clock time, so tests read like the exchange's hours.</summary>
    private static DateTimeOffset Et(int year, int month, int day, int hour, int minute, int second = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, MarketCalendar.Eastern.GetUtcOffset(local));
    }
}

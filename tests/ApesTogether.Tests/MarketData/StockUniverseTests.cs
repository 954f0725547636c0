using ApesTogether.Api.Features.MarketData;

namespace ApesTogether.Tests.MarketData;

public sealed class StockUniverseTests
{
    private static readonly HashSet<string> GicsSectors =
    [
        "Information Technology", "Health Care", "Financials", "Consumer Discretionary", "Communication Services",
        "Industrials", "Consumer Staples", "Energy", "Utilities", "Real Estate", "Materials",
    ];

    private readonly StockUniverse universe = new();

    [Fact]
    public void Universe_has_at_least_100_stocks_plus_SPY()
    {
        var stocks = universe.All.Count(s => s.Kind == AssetKind.Stock);

        var hasSpy = universe.TryGet("SPY", out var spy);

        Assert.True(stocks >= 100, $"only {stocks} stocks");
        Assert.True(hasSpy);
        Assert.Equal(AssetKind.Etf, spy!.Kind);
    }

    [Fact]
    public void Universe_has_no_duplicate_tickers()
    {
        var tickers = universe.All.Select(s => s.Ticker).ToList();

        var distinct = tickers.Distinct(StringComparer.OrdinalIgnoreCase).Count();

        Assert.Equal(tickers.Count, distinct);
    }

    [Fact]
    public void Every_entry_is_normalised_and_fully_described_with_a_positive_base_price()
    {
        var entries = universe.All;

        Assert.All(entries, s =>
        {
            Assert.Equal(StockUniverse.Normalize(s.Ticker), s.Ticker);
            Assert.False(string.IsNullOrWhiteSpace(s.Name));
            Assert.False(string.IsNullOrWhiteSpace(s.Industry));
            Assert.True(s.Kind == AssetKind.Etf ? s.Sector == "ETF" : GicsSectors.Contains(s.Sector), $"{s.Ticker}: {s.Sector}");
            Assert.True(universe.BasePrice(s.Ticker) > 0m, s.Ticker);
        });
    }

    [Theory]
    [InlineData("AAPL")]
    [InlineData("aapl")]
    [InlineData("brk.b")]
    [InlineData("Qqq")]
    public void TryGet_is_case_insensitive(string ticker)
    {
        var found = universe.TryGet(ticker, out var info);

        Assert.True(found);
        Assert.Equal(StockUniverse.Normalize(ticker), info!.Ticker);
    }

    [Theory]
    [InlineData("NOPE")]
    [InlineData("")]
    [InlineData("SQ")]
    public void TryGet_returns_false_for_an_unknown_ticker(string ticker)
    {
        var found = universe.TryGet(ticker, out var info);

        Assert.False(found);
        Assert.Null(info);
    }

    [Fact]
    public void BasePrice_of_an_unknown_ticker_throws()
    {
        var act = () => universe.BasePrice("NOPE");

        Assert.Throws<ArgumentException>(() => act());
    }

    [Theory]
    [InlineData("aapl", "AAPL")]
    [InlineData("  msft\t", "MSFT")]
    [InlineData(" brk.b ", "BRK.B")]
    [InlineData("SPY", "SPY")]
    public void Normalize_trims_and_upper_cases(string raw, string expected)
    {
        var normalized = StockUniverse.Normalize(raw);

        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void Normalize_upper_cases_invariantly_even_for_i()
    {
        var normalized = StockUniverse.Normalize("intc");

        Assert.Equal("INTC", normalized);
    }
}

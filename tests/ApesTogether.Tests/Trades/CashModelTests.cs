using ApesTogether.Api.Features.Trades;

namespace ApesTogether.Tests.Trades;

public sealed class CashModelTests
{
    [Fact]
    public void The_documented_worked_example_deploys_65_and_leaves_no_cash()
    {
        var cash = new CashState(0m, 0m);

        cash = cash.Buy(TradeMath.Total(10, 5m));
        var afterFirstBuy = cash;
        cash = cash.Buy(TradeMath.Total(5, 2m));
        var afterSecondBuy = cash;
        cash = cash.Sell(TradeMath.Total(5, 1m));
        var afterSell = cash;
        cash = cash.Buy(TradeMath.Total(10, 1m));

        Assert.Equal(new CashState(50m, 0m), afterFirstBuy);
        Assert.Equal(new CashState(60m, 0m), afterSecondBuy);
        Assert.Equal(new CashState(60m, 5m), afterSell);
        Assert.Equal(new CashState(65m, 0m), cash);
    }

    [Fact]
    public void A_buy_covered_by_proceeds_deploys_no_new_capital()
    {
        var cash = new CashState(100m, 40m);

        var after = cash.Buy(40m);

        Assert.Equal(new CashState(100m, 0m), after);
    }

    [Fact]
    public void Capital_deployed_never_falls_however_much_is_sold()
    {
        var cash = new CashState(100m, 0m);

        var after = cash.Sell(1_000m).Buy(300m).Sell(5m);

        Assert.Equal(100m, after.CapitalDeployed);
        Assert.Equal(705m, after.CashProceeds);
    }

    [Fact]
    public void Negative_amounts_are_refused()
    {
        var cash = new CashState(0m, 0m);

        Assert.Throws<ArgumentOutOfRangeException>(() => cash.Buy(-1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => cash.Sell(-1m));
    }

    [Theory]
    [InlineData("0.333333", "3.00", "1.00")]
    [InlineData("1", "0.005", "0.01")]
    [InlineData("1", "0.0049", "0.00")]
    [InlineData("2.5", "185.59", "463.98")]
    [InlineData("1000000", "9.9999", "9999900.00")]
    public void Order_totals_are_whole_cents_rounding_half_away_from_zero(string quantity, string price, string expected)
    {
        var total = TradeMath.Total(decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), total);
    }
}

public sealed class PositionTests
{
    [Fact]
    public void Buying_more_averages_the_cost_by_amount_paid()
    {
        var position = new Position(0m, 0m);

        position = position.Buy(10m, 50m).Buy(5m, 10m);

        Assert.Equal(15m, position.Quantity);
        Assert.Equal(4m, position.AverageCost);
    }

    [Fact]
    public void Selling_keeps_the_average_cost_of_what_remains()
    {
        var position = new Position(10m, 12.5m);

        var after = position.Sell(4m);

        Assert.Equal(new Position(6m, 12.5m), after);
    }

    [Fact]
    public void Selling_more_than_held_throws()
    {
        var position = new Position(1m, 10m);

        Assert.Throws<InvalidOperationException>(() => position.Sell(1.000001m));
    }

    [Fact]
    public void Average_cost_is_rounded_to_six_decimals()
    {
        var position = new Position(0m, 0m);

        var after = position.Buy(3m, 10m);

        Assert.Equal(3.333333m, after.AverageCost);
    }
}

using ApesTogether.Api.Features.Performance;
using ApesTogether.Api.Features.Trades;
using static ApesTogether.Tests.Performance.Calendar;

namespace ApesTogether.Tests.Performance;

public sealed class ModifiedDietzTests
{
    // 2026-03-02 is a Monday, 2026-03-03 a Tuesday; both regular 09:30–16:00 sessions (EST).
    private static readonly DateTimeOffset MondayClose = Et(2026, 3, 2, 16);
    private static readonly DateTimeOffset TuesdayClose = Et(2026, 3, 3, 16);

    [Fact]
    public void A_day_without_trades_is_the_price_move()
    {
        var start = new ValuationPoint(MondayClose, 1000m, 1000m);
        var end = new ValuationPoint(TuesdayClose, 1020m, 1000m);

        var result = ModifiedDietz.Compute(start, end, [], Nyse);

        // (1020 − 1000 − 0) / (1000 + 0) = 20 / 1000 = 0.02
        Assert.Equal(0.02m, result.Return);
        Assert.Equal(0m, result.NetFlow);
        Assert.False(result.NoCapitalAtRisk);
    }

    [Fact]
    public void New_money_half_way_through_the_session_counts_half()
    {
        var start = new ValuationPoint(MondayClose, 1000m, 1000m);
        var end = new ValuationPoint(TuesdayClose, 1600m, 1500m);
        // Tuesday's session is 09:30–16:00 = 6.5 h; at 12:45, 3.25 h are left: w = 3.25 / 6.5 = 0.5.
        CapitalFlow[] flows = [new(Et(2026, 3, 3, 12, 45), 500m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // (1600 − 1000 − 500) / (1000 + 0.5·500) = 100 / 1250 = 0.08
        Assert.Equal(250m, result.WeightedFlow);
        Assert.Equal(0.08m, result.Return);
    }

    [Fact]
    public void Money_that_arrives_before_or_at_the_open_weighs_one()
    {
        var start = new ValuationPoint(MondayClose, 1000m, 1000m);
        var end = new ValuationPoint(TuesdayClose, 1530m, 1500m);
        // Monday 18:00 is after Monday's close, 09:30 Tuesday is the open: all of Tuesday's session is still ahead.
        CapitalFlow[] flows = [new(Et(2026, 3, 2, 18), 200m), new(Et(2026, 3, 3, 9, 30), 300m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // (1530 − 1000 − 500) / (1000 + 1·200 + 1·300) = 30 / 1500 = 0.02
        Assert.Equal(500m, result.WeightedFlow);
        Assert.Equal(0.02m, result.Return);
    }

    [Fact]
    public void Money_that_arrives_after_the_last_close_weighs_zero()
    {
        var start = new ValuationPoint(Et(2026, 3, 3, 10), 1000m, 1000m);
        var end = new ValuationPoint(Et(2026, 3, 3, 17), 1520m, 1500m);
        CapitalFlow[] flows = [new(Et(2026, 3, 3, 16, 30), 500m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // (1520 − 1000 − 500) / (1000 + 0·500) = 20 / 1000 = 0.02
        Assert.Equal(0m, result.WeightedFlow);
        Assert.Equal(0.02m, result.Return);
    }

    [Fact]
    public void Selling_and_buying_back_from_the_proceeds_is_a_pure_price_return()
    {
        // Sell 600 and buy 600 of something else: the buy is paid from the proceeds, so no capital comes in.
        var cash = new CashState(1000m, 0m).Sell(600m).Buy(600m);
        var start = new ValuationPoint(MondayClose, 1000m, 1000m);
        var end = new ValuationPoint(TuesdayClose, 1050m, cash.CapitalDeployed);

        var result = ModifiedDietz.Compute(start, end, [], Nyse);

        // (1050 − 1000 − 0) / 1000 = 0.05
        Assert.Equal(1000m, cash.CapitalDeployed);
        Assert.Equal(0.05m, result.Return);
    }

    [Fact]
    public void Weights_count_session_time_only_across_a_holiday()
    {
        // Thursday 2026-04-02 open to Monday 2026-04-06 close; Friday 04-03 is Good Friday, then a weekend.
        // Session time: Thursday 6.5 h + Monday 6.5 h = 13 h. Money on Good Friday has only Monday ahead: w = 6.5 / 13 = 0.5
        // (on wall-clock time it would have been about 3 of 4 days, w ≈ 0.75).
        var start = new ValuationPoint(Et(2026, 4, 2, 9, 30), 1000m, 1000m);
        var end = new ValuationPoint(Et(2026, 4, 6, 16), 1600m, 1500m);
        CapitalFlow[] flows = [new(Et(2026, 4, 3, 12), 500m)];

        var timeline = new SessionTimeline(start.At, end.At, Nyse);
        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // (1600 − 1000 − 500) / (1000 + 0.5·500) = 100 / 1250 = 0.08
        Assert.Equal(TimeSpan.FromHours(13), timeline.Total);
        Assert.Equal(0.5m, timeline.WeightAt(Et(2026, 4, 2, 16)));
        Assert.Equal(0.08m, result.Return);
    }

    [Fact]
    public void An_early_close_shortens_the_session_used_for_weights()
    {
        // Friday 2026-11-27 (after Thanksgiving) closes at 13:00, so from its open to Monday's close there are
        // 3.5 h + 6.5 h = 10 h of session time. Money at 14:00 Friday is after the early close: w = 6.5 / 10 = 0.65.
        var start = new ValuationPoint(Et(2026, 11, 27, 9, 30), 1000m, 1000m);
        var end = new ValuationPoint(Et(2026, 11, 30, 16), 2016.5m, 2000m);
        CapitalFlow[] flows = [new(Et(2026, 11, 27, 14), 1000m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // (2016.5 − 1000 − 1000) / (1000 + 0.65·1000) = 16.5 / 1650 = 0.01
        Assert.Equal(650m, result.WeightedFlow);
        Assert.Equal(0.01m, result.Return);
    }

    [Fact]
    public void Without_session_time_in_the_sub_period_money_weighs_one()
    {
        // Both points after Tuesday's close: no session time between them.
        var start = new ValuationPoint(Et(2026, 3, 3, 16, 30), 1000m, 1000m);
        var end = new ValuationPoint(Et(2026, 3, 3, 19), 1515m, 1500m);
        CapitalFlow[] flows = [new(Et(2026, 3, 3, 17), 500m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // (1515 − 1000 − 500) / (1000 + 1·500) = 15 / 1500 = 0.01
        Assert.Equal(0.01m, result.Return);
    }

    [Fact]
    public void Nothing_invested_at_the_start_gives_zero_and_is_flagged()
    {
        // The first buy lands exactly at the closing snapshot, so none of the sub-period's session time is left: w = 0.
        var start = new ValuationPoint(Et(2026, 3, 3, 10), 0m, 0m);
        var end = new ValuationPoint(Et(2026, 3, 3, 10, 15), 1000m, 1000m);
        CapitalFlow[] flows = [new(Et(2026, 3, 3, 10, 15), 1000m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // Denominator 0 + 0·1000 = 0: no base to measure against.
        Assert.Equal(0m, result.Return);
        Assert.True(result.NoCapitalAtRisk);
    }

    [Fact]
    public void Capital_the_flows_do_not_explain_is_put_in_at_weight_one()
    {
        // Capital deployed rose by 500 but the ledger shows only 300 (at 12:45, w = 0.5); the other 200 counts from the start.
        var start = new ValuationPoint(MondayClose, 1000m, 1000m);
        var end = new ValuationPoint(TuesdayClose, 1527m, 1500m);
        CapitalFlow[] flows = [new(Et(2026, 3, 3, 12, 45), 300m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // F = 1500 − 1000 = 500; weighted = 0.5·300 + 1·200 = 350
        // (1527 − 1000 − 500) / (1000 + 350) = 27 / 1350 = 0.02
        Assert.Equal(500m, result.NetFlow);
        Assert.Equal(350m, result.WeightedFlow);
        Assert.Equal(0.02m, result.Return);
    }

    [Fact]
    public void Flows_outside_the_sub_period_are_ignored()
    {
        var start = new ValuationPoint(MondayClose, 1000m, 1000m);
        var end = new ValuationPoint(TuesdayClose, 1020m, 1000m);
        // Wednesday's buy belongs to the next sub-period.
        CapitalFlow[] flows = [new(Et(2026, 3, 4, 10), 500m)];

        var result = ModifiedDietz.Compute(start, end, flows, Nyse);

        // (1020 − 1000 − 0) / 1000 = 0.02
        Assert.Equal(0m, result.WeightedFlow);
        Assert.Equal(0.02m, result.Return);
    }
}

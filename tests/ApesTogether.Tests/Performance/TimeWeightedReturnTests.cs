using ApesTogether.Api.Features.Performance;
using static ApesTogether.Tests.Performance.Calendar;

namespace ApesTogether.Tests.Performance;

public sealed class TimeWeightedReturnTests
{
    [Fact]
    public void Three_sub_periods_chain_and_new_money_is_not_gain()
    {
        // Daily closes Monday 2026-03-02 to Thursday 03-05, given out of order to prove they are sorted.
        ValuationPoint[] points =
        [
            new(Et(2026, 3, 4, 16), 1520m, 1500m),
            new(Et(2026, 3, 2, 16), 1000m, 1000m),
            new(Et(2026, 3, 5, 16), 1550.4m, 1500m),
            new(Et(2026, 3, 3, 16), 1100m, 1000m),
        ];
        CapitalFlow[] flows =
        [
            new(Et(2026, 3, 2, 12), 1000m), // the first buy, already in the first point
            new(Et(2026, 3, 4, 9, 30), 500m), // settled at Wednesday's open: w = 1
        ];

        var total = TimeWeightedReturn.Compute(points, flows, Nyse);
        var index = TimeWeightedReturn.CumulativeIndex(points, flows, Nyse);

        // r1 = (1100 − 1000) / 1000 = 0.10
        // r2 = (1520 − 1100 − 500) / (1100 + 1·500) = −80 / 1600 = −0.05
        // r3 = (1550.4 − 1520) / 1520 = 30.4 / 1520 = 0.02
        // TWR = 1.10 × 0.95 × 1.02 − 1 = 1.045 × 1.02 − 1 = 1.0659 − 1 = 0.0659
        Assert.Equal(0.0659m, total);
        Assert.Equal([0m, 0.10m, 0.045m, 0.0659m], index.Select(p => p.Return));
        Assert.Equal(Et(2026, 3, 2, 16), index[0].At);
        Assert.Equal(Et(2026, 3, 5, 16), index[^1].At);
        // Beside it, the simple return since inception: (1550.4 − 1500) / 1500 = 0.0336.
        Assert.Equal(0.0336m, Returns.SinceInception(1550.4m, 1500m));
    }

    [Fact]
    public void A_user_who_joined_mid_period_starts_counting_from_the_first_buy()
    {
        // Intraday snapshots on Tuesday 2026-03-03; the first buy (1000) lands with the 10:15 snapshot.
        ValuationPoint[] points =
        [
            new(Et(2026, 3, 3, 10), 0m, 0m),
            new(Et(2026, 3, 3, 10, 15), 1000m, 1000m),
            new(Et(2026, 3, 3, 10, 30), 1010m, 1000m),
            new(Et(2026, 3, 3, 10, 45), 1030.2m, 1000m),
        ];
        CapitalFlow[] flows = [new(Et(2026, 3, 3, 10, 15), 1000m)];

        var subPeriods = TimeWeightedReturn.SubPeriods(points, flows, Nyse);
        var total = TimeWeightedReturn.Compute(points, flows, Nyse);

        // r1: (1000 − 0 − 1000) / (0 + 0·1000): denominator 0, so 0 and flagged
        // r2 = (1010 − 1000) / 1000 = 0.01
        // r3 = (1030.2 − 1010) / 1010 = 20.2 / 1010 = 0.02
        // TWR = 1 × 1.01 × 1.02 − 1 = 0.0302
        Assert.True(subPeriods[0].NoCapitalAtRisk);
        Assert.Equal([0m, 0.01m, 0.02m], subPeriods.Select(s => s.Return));
        Assert.Equal(0.0302m, total);
    }

    [Fact]
    public void A_single_point_has_no_return()
    {
        ValuationPoint[] points = [new(Et(2026, 3, 3, 16), 1000m, 1000m)];

        Assert.Equal(0m, TimeWeightedReturn.Compute(points, [], Nyse));
        Assert.Equal([new ReturnPoint(Et(2026, 3, 3, 16), 0m)], TimeWeightedReturn.CumulativeIndex(points, [], Nyse));
        Assert.Empty(TimeWeightedReturn.CumulativeIndex([], [], Nyse));
    }
}

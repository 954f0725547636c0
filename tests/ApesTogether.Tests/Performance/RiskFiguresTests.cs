using ApesTogether.Api.Features.Performance;

namespace ApesTogether.Tests.Performance;

public sealed class RiskFiguresTests
{
    // √252 = 15.874507866387544…; the double → decimal conversion keeps 15 significant digits.
    private const decimal SqrtOf252 = 15.8745078663875m;

    [Fact]
    public void Volatility_is_the_sample_deviation_scaled_by_root_252()
    {
        decimal[] daily = [0.02m, 0m, 0.01m];

        // mean = 0.03 / 3 = 0.01; squared deviations 0.0001 + 0.0001 + 0 = 0.0002
        // sample variance = 0.0002 / (3 − 1) = 0.0001; stdev = 0.01
        // volatility = 0.01 × 15.8745078663875 = 0.158745078663875
        Assert.Equal(0.01m, RiskFigures.StandardDeviation(daily));
        Assert.Equal(0.01m * SqrtOf252, RiskFigures.AnnualisedVolatility(daily));
        Assert.Equal(0.158745078663875m, RiskFigures.AnnualisedVolatility(daily));
    }

    [Fact]
    public void Fewer_than_two_returns_have_no_volatility()
    {
        Assert.Equal(0m, RiskFigures.AnnualisedVolatility([]));
        Assert.Equal(0m, RiskFigures.AnnualisedVolatility([0.05m]));
    }

    [Fact]
    public void Sharpe_ratio_is_daily_excess_over_deviation_annualised()
    {
        decimal[] daily = [0.02m, 0m, 0.01m];

        // risk-free 2.52 % a year = 0.0001 a day; (0.01 − 0.0001) / 0.01 × √252 = 0.99 × 15.8745078663875 = 15.715762787723625
        Assert.Equal(15.715762787723625m, RiskFigures.Sharpe(daily, 0.0252m));
        // Without a risk-free rate: 0.01 / 0.01 × √252
        Assert.Equal(SqrtOf252, RiskFigures.Sharpe(daily));
    }

    [Fact]
    public void A_series_without_spread_has_no_Sharpe_ratio()
    {
        Assert.Null(RiskFigures.Sharpe([0.01m, 0.01m, 0.01m]));
        Assert.Null(RiskFigures.Sharpe([0.01m]));
    }

    [Fact]
    public void Max_drawdown_is_the_deepest_fall_from_a_previous_peak()
    {
        decimal[] daily = [0.10m, -0.20m, 0.05m, -0.10m];

        // index 1 → 1.1 (peak) → 0.88 → 0.924 → 0.8316
        // drawdowns from 1.1: (1.1 − 0.88) / 1.1 = 0.2, then (1.1 − 0.8316) / 1.1 = 0.2684 / 1.1 = 0.244
        Assert.Equal(0.244m, RiskFigures.MaxDrawdownOf(daily));
    }

    [Fact]
    public void A_new_peak_resets_the_reference_but_keeps_the_worst_fall()
    {
        decimal[] daily = [-0.10m, 0.50m, -0.05m];

        // 1 → 0.9 (drawdown 0.1) → 1.35 (new peak) → 1.2825 (drawdown 0.0675 / 1.35 = 0.05): worst is 0.1
        Assert.Equal(0.1m, RiskFigures.MaxDrawdownOf(daily));
        Assert.Equal(0m, RiskFigures.MaxDrawdownOf([0.01m, 0.02m]));
    }

    [Fact]
    public void Alpha_is_the_simple_excess_over_the_benchmark()
    {
        // 6.59 % against SPY's 4 %: 0.0659 − 0.04 = 0.0259
        Assert.Equal(0.0259m, RiskFigures.Alpha(0.0659m, 0.04m));
    }

    [Fact]
    public void All_figures_together()
    {
        var figures = RiskFigures.From([0.10m, -0.20m, 0.05m, -0.10m]);

        Assert.Equal(0.244m, figures.MaxDrawdown);
        Assert.Equal(RiskFigures.AnnualisedVolatility([0.10m, -0.20m, 0.05m, -0.10m]), figures.Volatility);
        Assert.NotNull(figures.SharpeRatio);
        Assert.True(figures.SharpeRatio < 0m);
    }
}

namespace ApesTogether.Api.Features.Performance;

/// <summary>Risk figures over daily returns (fractions); meaningful from 1M up, where the series is daily closes.</summary>
public sealed record RiskFigures(decimal Volatility, decimal MaxDrawdown, decimal? SharpeRatio)
{
    public const int TradingDaysPerYear = 252;

    // decimal has no square root; double is used for the root alone, and its 15 significant digits are plenty.
    private static readonly decimal SqrtTradingDays = Sqrt(TradingDaysPerYear);

    public static RiskFigures From(IReadOnlyList<decimal> dailyReturns, decimal riskFreeAnnual = 0m)
    {
        // The same figures as AnnualisedVolatility and Sharpe, with the standard deviation computed once.
        var deviation = StandardDeviation(dailyReturns);
        decimal? sharpe = deviation == 0m ? null : (dailyReturns.Average() - (riskFreeAnnual / TradingDaysPerYear)) / deviation * SqrtTradingDays;
        return new(deviation * SqrtTradingDays, MaxDrawdownOf(dailyReturns), sharpe);
    }

    /// <summary>Sample standard deviation (n − 1); 0 with fewer than two returns, where spread is undefined.</summary>
    public static decimal StandardDeviation(IReadOnlyList<decimal> returns)
    {
        ArgumentNullException.ThrowIfNull(returns);
        if (returns.Count < 2)
            return 0m;

        var mean = returns.Average();
        var squares = 0m;
        foreach (var r in returns)
            squares += (r - mean) * (r - mean);
        return Sqrt(squares / (returns.Count - 1));
    }

    /// <summary>Daily standard deviation scaled by √252.</summary>
    public static decimal AnnualisedVolatility(IReadOnlyList<decimal> dailyReturns) =>
        StandardDeviation(dailyReturns) * SqrtTradingDays;

    /// <summary>
    /// The deepest fall of the return index (starting at 1 before the first return) below its running peak, as a
    /// positive fraction of that peak; 0 when the index never dips below an earlier peak.
    /// </summary>
    public static decimal MaxDrawdownOf(IReadOnlyList<decimal> returns)
    {
        ArgumentNullException.ThrowIfNull(returns);
        var level = 1m;
        var peak = 1m;
        var worst = 0m;
        foreach (var r in returns)
        {
            level *= 1m + r;
            // The peak starts at 1 and only rises, so dividing by it is safe.
            if (level > peak)
                peak = level;
            else
                worst = Math.Max(worst, (peak - level) / peak);
        }

        return worst;
    }

    /// <summary>
    /// <c>(mean daily return − riskFreeAnnual / 252) / stdev × √252</c>; null when the standard deviation is 0,
    /// because a riskless series has no meaningful ratio.
    /// </summary>
    public static decimal? Sharpe(IReadOnlyList<decimal> dailyReturns, decimal riskFreeAnnual = 0m)
    {
        var deviation = StandardDeviation(dailyReturns);
        if (deviation == 0m)
            return null;

        var excess = dailyReturns.Average() - (riskFreeAnnual / TradingDaysPerYear);
        return excess / deviation * SqrtTradingDays;
    }

    /// <summary>
    /// Alpha against SPY as a simple excess return: the portfolio's TWR minus SPY's return over the same window. Not a
    /// regression (Jensen's) alpha; users read it as "how far ahead of the index", and both legs must cover the same
    /// window, which the original system got wrong.
    /// </summary>
    public static decimal Alpha(decimal portfolioReturn, decimal benchmarkReturn) => portfolioReturn - benchmarkReturn;

    private static decimal Sqrt(decimal value) => (decimal)Math.Sqrt((double)value);
}

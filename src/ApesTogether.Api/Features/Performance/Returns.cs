namespace ApesTogether.Api.Features.Performance;

/// <summary>Return arithmetic shared by the performance features; returns are fractions (0.05 = 5 %) until the API edge.</summary>
public static class Returns
{
    public const int PercentDecimals = 4;

    /// <summary>A fraction in percent units for the API, rounded half away from zero so 0.000005 % shows as 0.0001, not 0.</summary>
    public static decimal ToPercent(decimal fraction) =>
        decimal.Round(fraction * 100m, PercentDecimals, MidpointRounding.AwayFromZero);

    /// <summary>
    /// <c>(value − capital deployed) / capital deployed</c>: what the money put in has become, ignoring when it came in.
    /// 0 when nothing was deployed, since there is nothing for a return to be relative to.
    /// </summary>
    public static decimal SinceInception(decimal value, decimal capitalDeployed) =>
        capitalDeployed == 0m ? 0m : (value - capitalDeployed) / capitalDeployed;

    /// <summary>Chains returns: <c>Π(1 + rᵢ) − 1</c>.</summary>
    public static decimal Chain(IEnumerable<decimal> returns)
    {
        ArgumentNullException.ThrowIfNull(returns);
        var growth = 1m;
        foreach (var r in returns)
            growth *= 1m + r;
        return growth - 1m;
    }
}

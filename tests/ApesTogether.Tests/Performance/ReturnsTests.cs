using System.Globalization;
using ApesTogether.Api.Features.Performance;

namespace ApesTogether.Tests.Performance;

public sealed class ReturnsTests
{
    [Theory]
    [InlineData("0.0659", "6.59")]
    [InlineData("0.123456789", "12.3457")]
    [InlineData("0.0000005", "0.0001")] // 0.00005 % rounds half away from zero
    [InlineData("-0.0000005", "-0.0001")]
    [InlineData("-0.05", "-5")]
    public void Percent_units_are_times_100_rounded_to_4_places(string fraction, string percent)
    {
        Assert.Equal(decimal.Parse(percent, CultureInfo.InvariantCulture),
            Returns.ToPercent(decimal.Parse(fraction, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Simple_return_since_inception_is_gain_over_capital_deployed()
    {
        // (1250 − 1000) / 1000 = 0.25
        Assert.Equal(0.25m, Returns.SinceInception(1250m, 1000m));
        Assert.Equal(-0.1m, Returns.SinceInception(900m, 1000m));
    }

    [Fact]
    public void Nothing_deployed_means_no_simple_return()
    {
        Assert.Equal(0m, Returns.SinceInception(0m, 0m));
    }
}

using ApesTogether.Api.Features.Performance;

namespace ApesTogether.Tests.Performance;

public sealed class DownSamplingTests
{
    [Fact]
    public void A_long_series_keeps_its_ends_and_at_most_the_limit_in_order()
    {
        var series = Enumerable.Range(0, 1000).ToList();

        var sampled = DownSampling.Evenly(series);

        Assert.Equal(DownSampling.DefaultMaxPoints, sampled.Count);
        Assert.Equal(0, sampled[0]);
        Assert.Equal(999, sampled[^1]);
        Assert.True(sampled.Zip(sampled.Skip(1)).All(pair => pair.First < pair.Second));
    }

    [Fact]
    public void Points_between_the_ends_are_evenly_spaced()
    {
        var series = Enumerable.Range(0, 10).ToList();

        // indexes ⌊k·9/3⌋ for k = 0..3
        Assert.Equal([0, 3, 6, 9], DownSampling.Evenly(series, 4));
        Assert.Equal([0, 9], DownSampling.Evenly(series, 2));
    }

    [Fact]
    public void A_short_series_is_returned_whole()
    {
        var series = Enumerable.Range(0, 100).ToList();

        Assert.Equal(series, DownSampling.Evenly(series));
        Assert.Empty(DownSampling.Evenly(Array.Empty<int>()));
    }

    [Fact]
    public void The_same_input_gives_the_same_output()
    {
        var series = Enumerable.Range(0, 777).ToList();

        Assert.Equal(DownSampling.Evenly(series, 50), DownSampling.Evenly(series, 50));
    }

    [Fact]
    public void A_limit_below_two_cannot_keep_both_ends()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DownSampling.Evenly(new[] { 1, 2, 3 }, 1));
    }
}

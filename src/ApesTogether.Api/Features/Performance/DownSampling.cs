namespace ApesTogether.Api.Features.Performance;

/// <summary>Thins a chart series for sparklines and long windows without changing its shape's end points.</summary>
public static class DownSampling
{
    public const int DefaultMaxPoints = 150;

    /// <summary>
    /// At most <paramref name="maxPoints"/> points, in order: the first and the last always, and between them the
    /// points at evenly spaced indexes (index ⌊k·(n−1)/(max−1)⌋), so the same input always gives the same output.
    /// </summary>
    public static IReadOnlyList<T> Evenly<T>(IReadOnlyList<T> series, int maxPoints = DefaultMaxPoints)
    {
        ArgumentNullException.ThrowIfNull(series);
        // Two is the least that can keep both ends.
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (series.Count <= maxPoints)
            return [.. series];

        // n > max makes the step (n − 1)/(max − 1) greater than 1, so the indexes strictly increase: no duplicates.
        var result = new List<T>(maxPoints);
        long last = series.Count - 1;
        for (long k = 0; k < maxPoints; k++)
            result.Add(series[(int)(k * last / (maxPoints - 1))]);
        return result;
    }
}

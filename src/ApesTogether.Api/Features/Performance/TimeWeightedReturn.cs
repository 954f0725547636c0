using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.Performance;

/// <summary>
/// Time-weighted return over a snapshot series: each pair of consecutive snapshots is one Modified Dietz sub-period,
/// and the sub-periods are chained, <c>Π(1 + rᵢ) − 1</c>. Chaining makes the result independent of how much money
/// was in the portfolio when, which is what lets users who invested different amounts be ranked together.
/// </summary>
/// <remarks>
/// Points are sorted by instant (stable, so equal instants keep their given order). Each flow belongs to the
/// sub-period <c>(previous point, point]</c>; flows at or before the first point or after the last one fall outside
/// the series and are ignored. Fewer than two points make no sub-period and a return of 0.
/// </remarks>
public static class TimeWeightedReturn
{
    public static decimal Compute(IEnumerable<ValuationPoint> points, IEnumerable<CapitalFlow> flows, MarketCalendar calendar) =>
        Returns.Chain(SubPeriods(points, flows, calendar).Select(s => s.Return));

    /// <summary>The cumulative return at every point, starting at 0 at the first one; the series a chart draws.</summary>
    public static IReadOnlyList<ReturnPoint> CumulativeIndex(
        IEnumerable<ValuationPoint> points, IEnumerable<CapitalFlow> flows, MarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToList();
        var subPeriods = SubPeriods(list, flows, calendar);
        if (subPeriods.Count == 0)
            return list.Count == 0 ? [] : [new ReturnPoint(list[0].At, 0m)];

        var index = new List<ReturnPoint>(subPeriods.Count + 1) { new(subPeriods[0].From, 0m) };
        var growth = 1m;
        foreach (var subPeriod in subPeriods)
        {
            growth *= 1m + subPeriod.Return;
            index.Add(new ReturnPoint(subPeriod.To, growth - 1m));
        }

        return index;
    }

    /// <summary>The Modified Dietz result of every sub-period, in order; over daily closes these are the daily returns.</summary>
    public static IReadOnlyList<SubPeriodReturn> SubPeriods(
        IEnumerable<ValuationPoint> points, IEnumerable<CapitalFlow> flows, MarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(calendar);

        var sorted = points.OrderBy(p => p.At).ToList();
        var sortedFlows = flows.OrderBy(f => f.At).ToList();
        var result = new List<SubPeriodReturn>(Math.Max(0, sorted.Count - 1));
        var next = 0;
        for (var i = 1; i < sorted.Count; i++)
        {
            var start = sorted[i - 1];
            var end = sorted[i];
            while (next < sortedFlows.Count && sortedFlows[next].At <= start.At)
                next++;

            var first = next;
            while (next < sortedFlows.Count && sortedFlows[next].At <= end.At)
                next++;

            result.Add(ModifiedDietz.Compute(start, end, sortedFlows.GetRange(first, next - first), calendar));
        }

        return result;
    }
}

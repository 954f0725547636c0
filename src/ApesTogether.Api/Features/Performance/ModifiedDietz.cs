using ApesTogether.Api.Features.Market;

namespace ApesTogether.Api.Features.Performance;

/// <summary>
/// Modified Dietz return of one sub-period between two consecutive snapshots:
/// <c>r = (V_end − V_start − F) / (V_start + Σ wᵢ·Fᵢ)</c>, so new money is never counted as gain.
/// </summary>
/// <remarks>
/// <para><c>F</c> is always <c>end.CapitalDeployed − start.CapitalDeployed</c>: the snapshots are the authority on how
/// much money came in. The ledger flows inside <c>(start, end]</c> only say <em>when</em> it came in; flows outside that
/// interval are ignored (a flow at exactly <c>start</c> is already in the start snapshot).</para>
/// <para>If the flows do not add up to <c>F</c> (a missed ledger row, a snapshot written a moment before a trade
/// committed), the remainder <c>F − ΣFᵢ</c> is put in at weight 1, as if present from the start of the sub-period.
/// That is the conservative reading: unexplained capital enlarges the base and can only shrink the return's size.</para>
/// <para>Weights come from <see cref="SessionTimeline"/>: the fraction of the sub-period's regular-session time left
/// after the flow.</para>
/// </remarks>
public static class ModifiedDietz
{
    public static SubPeriodReturn Compute(
        ValuationPoint start, ValuationPoint end, IEnumerable<CapitalFlow> flows, MarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(calendar);
        if (end.At < start.At)
            throw new ArgumentException($"The sub-period ends ({end.At:O}) before it starts ({start.At:O}).", nameof(end));

        // Built on the first flow only: most sub-periods have none, and then session time does not matter.
        SessionTimeline? timeline = null;
        var netFlow = end.CapitalDeployed - start.CapitalDeployed;
        var timed = 0m;
        var weighted = 0m;
        foreach (var flow in flows)
        {
            if (flow.At <= start.At || flow.At > end.At)
                continue;
            timed += flow.Amount;
            weighted += (timeline ??= new SessionTimeline(start.At, end.At, calendar)).WeightAt(flow.At) * flow.Amount;
        }

        weighted += netFlow - timed;
        var denominator = start.Value + weighted;
        if (denominator <= 0m)
            return new SubPeriodReturn(start.At, end.At, 0m, netFlow, weighted, NoCapitalAtRisk: true);

        var r = (end.Value - start.Value - netFlow) / denominator;
        return new SubPeriodReturn(start.At, end.At, r, netFlow, weighted, NoCapitalAtRisk: false);
    }
}

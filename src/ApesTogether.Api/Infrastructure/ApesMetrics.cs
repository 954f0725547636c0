using System.Diagnostics.Metrics;

namespace ApesTogether.Api.Infrastructure;

/// <summary>The service's one Meter, <c>ApesTogether</c>; operators' views and the scaling advisor read these.</summary>
public sealed class ApesMetrics
{
    public const string MeterName = "ApesTogether";

    public ApesMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        QuoteFailovers = meter.CreateCounter<long>("apes.quotes.failovers", description: "Switches from the primary quote provider to the fallback");
        QuoteCacheHits = meter.CreateCounter<long>("apes.quotes.cache.hits");
        QuoteCacheMisses = meter.CreateCounter<long>("apes.quotes.cache.misses");
        QuoteStaleServed = meter.CreateCounter<long>("apes.quotes.cache.stale", description: "Quotes served past their lifetime because no provider answered");
        VendorCalls = meter.CreateCounter<long>("apes.vendor.calls", description: "Outbound market-data calls by provider and outcome");
        TradesPlaced = meter.CreateCounter<long>("apes.trades.placed");
    }

    public Counter<long> QuoteFailovers { get; }
    public Counter<long> QuoteCacheHits { get; }
    public Counter<long> QuoteCacheMisses { get; }
    public Counter<long> QuoteStaleServed { get; }
    public Counter<long> VendorCalls { get; }
    public Counter<long> TradesPlaced { get; }
}

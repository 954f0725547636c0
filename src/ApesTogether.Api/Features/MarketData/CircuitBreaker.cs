using System.Diagnostics.Metrics;

namespace ApesTogether.Api.Features.MarketData;

public enum BreakerState { Closed, Open, HalfOpen }

/// <summary>
/// Sends traffic away from a failing primary after N consecutive failures, for a fixed time, then lets one probe
/// through: success closes it, failure opens it again. Written here rather than taken from Polly because Polly's
/// breaker trips on a failure ratio over a sampling window, and the guide's rule is "3 consecutive failures".
/// Each transition is logged once and counted (<c>apes.quotes.failovers</c> counts every switch to the fallback).
/// </summary>
public sealed class CircuitBreaker(string name, int failureThreshold, TimeSpan breakDuration, TimeProvider clock, ILogger logger, Counter<long>? failovers = null)
{
    readonly Lock _gate = new();
    int _consecutiveFailures;
    DateTimeOffset _openUntil;
    bool _probeInFlight;

    public BreakerState State { get; private set; } = BreakerState.Closed;
    public long Failovers { get; private set; }

    /// <summary>Whether the primary may be called now. In half-open state only one probe at a time gets a yes.</summary>
    public bool AllowRequest()
    {
        lock (_gate)
        {
            if (State == BreakerState.Open && clock.GetUtcNow() >= _openUntil)
            {
                State = BreakerState.HalfOpen;
                _probeInFlight = false;
                logger.LogInformation("{Breaker} half-open: probing the primary", name);
            }
            switch (State)
            {
                case BreakerState.Closed:
                    return true;
                case BreakerState.HalfOpen when !_probeInFlight:
                    _probeInFlight = true;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>The granted call ended without saying anything about the primary's health (canceled, no budget).</summary>
    public void RecordNoOutcome()
    {
        lock (_gate)
        {
            _probeInFlight = false;
        }
    }

    public void RecordSuccess()
    {
        lock (_gate)
        {
            _consecutiveFailures = 0;
            if (State != BreakerState.Closed)
            {
                State = BreakerState.Closed;
                _probeInFlight = false;
                logger.LogWarning("{Breaker} closed: the primary answers again", name);
            }
        }
    }

    public void RecordFailure()
    {
        lock (_gate)
        {
            _consecutiveFailures++;
            if (State == BreakerState.HalfOpen || (State == BreakerState.Closed && _consecutiveFailures >= failureThreshold))
            {
                var wasClosed = State == BreakerState.Closed;
                State = BreakerState.Open;
                _probeInFlight = false;
                _openUntil = clock.GetUtcNow() + breakDuration;
                if (wasClosed)
                {
                    Failovers++;
                    failovers?.Add(1);
                    logger.LogWarning("{Breaker} open after {Failures} consecutive failures: using the fallback for {Duration}",
                        name, _consecutiveFailures, breakDuration);
                }
                else
                {
                    logger.LogWarning("{Breaker} probe failed: open again for {Duration}", name, breakDuration);
                }
            }
        }
    }
}

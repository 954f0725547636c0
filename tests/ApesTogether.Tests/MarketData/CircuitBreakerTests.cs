using ApesTogether.Api.Features.MarketData;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ApesTogether.Tests.MarketData;

public sealed class CircuitBreakerTests
{
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));

    CircuitBreaker Breaker() => new("test", 3, TimeSpan.FromSeconds(300), _clock, NullLogger.Instance);

    [Fact]
    public void Three_consecutive_failures_open_it_and_a_success_in_between_resets_the_count()
    {
        var breaker = Breaker();

        breaker.RecordFailure();
        breaker.RecordFailure();
        breaker.RecordSuccess();
        breaker.RecordFailure();
        breaker.RecordFailure();
        var afterFour = breaker.State;
        breaker.RecordFailure();

        Assert.Equal(BreakerState.Closed, afterFour);
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.False(breaker.AllowRequest());
        Assert.Equal(1, breaker.Failovers);
    }

    [Fact]
    public void After_the_break_one_probe_goes_through_and_its_success_closes_it()
    {
        var breaker = Breaker();
        for (var i = 0; i < 3; i++)
        {
            breaker.RecordFailure();
        }

        _clock.Advance(TimeSpan.FromSeconds(299));
        var beforeEnd = breaker.AllowRequest();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var probe = breaker.AllowRequest();
        var secondWhileProbing = breaker.AllowRequest();
        var halfOpen = breaker.State;
        breaker.RecordSuccess();

        Assert.False(beforeEnd);
        Assert.True(probe);
        Assert.False(secondWhileProbing);
        Assert.Equal(BreakerState.HalfOpen, halfOpen);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.True(breaker.AllowRequest());
    }

    [Fact]
    public void A_failed_probe_opens_it_again_without_counting_a_new_failover()
    {
        var breaker = Breaker();
        for (var i = 0; i < 3; i++)
        {
            breaker.RecordFailure();
        }
        _clock.Advance(TimeSpan.FromSeconds(300));
        breaker.AllowRequest();

        breaker.RecordFailure();

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(1, breaker.Failovers);
        _clock.Advance(TimeSpan.FromSeconds(300));
        Assert.True(breaker.AllowRequest());
    }

    [Fact]
    public void A_probe_that_ended_without_an_outcome_lets_the_next_probe_through()
    {
        var breaker = Breaker();
        for (var i = 0; i < 3; i++)
        {
            breaker.RecordFailure();
        }
        _clock.Advance(TimeSpan.FromSeconds(300));
        breaker.AllowRequest();

        breaker.RecordNoOutcome();

        Assert.True(breaker.AllowRequest());
    }
}

using ApesTogether.Api.Features.MarketData;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ApesTogether.Tests.MarketData;

public sealed class ApiKeyPoolTests
{
    static readonly DateTimeOffset Start = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    static ApiKeyPool Pool(FakeTimeProvider clock, int keys, int perMinute, int? perDay = null) =>
        new(Options.Create(new MarketDataOptions
        {
            AlphaVantage = new AlphaVantageOptions
            {
                ApiKeys = Enumerable.Range(0, keys).Select(i => $"key-{i}").ToList(),
                CallsPerMinute = perMinute,
                CallsPerDay = perDay,
            },
        }), clock);

    [Fact]
    public void Keys_rotate_and_each_stops_at_its_per_minute_budget()
    {
        var clock = new FakeTimeProvider(Start);
        var pool = Pool(clock, keys: 2, perMinute: 3);

        var granted = new List<int>();
        while (pool.TryAcquire(out var lease, out _))
        {
            granted.Add(lease.Index);
        }

        Assert.Equal([0, 1, 0, 1, 0, 1], granted);
        Assert.Equal(6, pool.CallsInLastMinute());
    }

    [Fact]
    public void Budget_comes_back_one_call_at_a_time_as_the_rolling_minute_moves()
    {
        var clock = new FakeTimeProvider(Start);
        var pool = Pool(clock, keys: 1, perMinute: 2);
        pool.TryAcquire(out _, out _);
        clock.Advance(TimeSpan.FromSeconds(20));
        pool.TryAcquire(out _, out _);

        var refused = pool.TryAcquire(out _, out var retryAfter);
        clock.Advance(TimeSpan.FromSeconds(40));
        var first = pool.TryAcquire(out _, out _);
        var second = pool.TryAcquire(out _, out var nextRetry);

        Assert.False(refused);
        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
        Assert.True(first);
        Assert.False(second);
        Assert.Equal(TimeSpan.FromSeconds(20), nextRetry);
    }

    [Fact]
    public async Task With_no_budget_and_no_patience_the_caller_gets_budget_exhausted_and_nothing_is_granted()
    {
        var clock = new FakeTimeProvider(Start);
        var pool = Pool(clock, keys: 1, perMinute: 1);
        pool.TryAcquire(out _, out _);

        var error = await Assert.ThrowsAsync<BudgetExhaustedException>(() => pool.AcquireAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.FromMinutes(1), error.RetryAfter);
        Assert.Equal(1, pool.CallsInLastMinute());
    }

    [Fact]
    public async Task A_caller_willing_to_wait_gets_the_key_when_its_budget_frees()
    {
        var clock = new FakeTimeProvider(Start);
        var pool = Pool(clock, keys: 1, perMinute: 1);
        pool.TryAcquire(out _, out _);
        clock.Advance(TimeSpan.FromSeconds(59));

        var waiting = pool.AcquireAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var lease = await waiting;

        Assert.Equal(0, lease.Index);
    }

    [Fact]
    public void A_daily_budget_holds_until_utc_midnight()
    {
        var clock = new FakeTimeProvider(Start);
        var pool = Pool(clock, keys: 1, perMinute: 100, perDay: 2);
        pool.TryAcquire(out _, out _);
        pool.TryAcquire(out _, out _);

        var refused = pool.TryAcquire(out _, out var retryAfter);
        clock.SetUtcNow(new DateTimeOffset(2026, 3, 3, 0, 0, 1, TimeSpan.Zero));
        var nextDay = pool.TryAcquire(out _, out _);

        Assert.False(refused);
        Assert.Equal(TimeSpan.FromHours(9), retryAfter);
        Assert.True(nextDay);
    }

    [Fact]
    public void A_key_the_vendor_throttled_rests_and_the_others_carry_on()
    {
        var clock = new FakeTimeProvider(Start);
        var pool = Pool(clock, keys: 2, perMinute: 100);

        pool.Penalize(0, TimeSpan.FromSeconds(30));
        var granted = Enumerable.Range(0, 3).Select(_ => pool.TryAcquire(out KeyLease l, out TimeSpan _) ? l.Index : -1).ToList();
        clock.Advance(TimeSpan.FromSeconds(30));
        var afterRest = Enumerable.Range(0, 2).Select(_ => pool.TryAcquire(out KeyLease l, out TimeSpan _) ? l.Index : -1).ToList();

        Assert.Equal([1, 1, 1], granted);
        Assert.Contains(0, afterRest);
    }
}

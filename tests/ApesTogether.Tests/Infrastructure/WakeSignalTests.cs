using ApesTogether.Api.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace ApesTogether.Tests.Infrastructure;

public sealed class WakeSignalTests
{
    static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_wake_at_an_instant_comes_when_the_clock_reaches_it_and_not_before()
    {
        var signal = new WakeSignal(_clock);
        signal.NotifyAt(_clock.GetUtcNow().UtcDateTime.AddSeconds(5));

        var wait = signal.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        var early = wait.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(Hang, TestContext.Current.CancellationToken);

        Assert.False(early);
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Notifications_before_the_wait_fold_into_one_wake_up_and_the_timeout_runs_on_the_clock()
    {
        var signal = new WakeSignal(_clock);
        signal.Notify();
        signal.Notify();
        signal.NotifyAt(_clock.GetUtcNow().UtcDateTime.AddSeconds(-1));

        await signal.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken).WaitAsync(Hang, TestContext.Current.CancellationToken);
        var second = signal.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        var woken = second.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(30));
        await second.WaitAsync(Hang, TestContext.Current.CancellationToken);

        Assert.False(woken);
    }

    [Fact]
    public async Task A_wait_that_timed_out_does_not_swallow_the_next_wake_up()
    {
        var signal = new WakeSignal(_clock);
        var first = signal.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await first.WaitAsync(Hang, TestContext.Current.CancellationToken);

        signal.Notify();

        await signal.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken).WaitAsync(Hang, TestContext.Current.CancellationToken);
    }
}

namespace ApesTogether.Api.Infrastructure;

/// <summary>
/// Wakes a background loop that otherwise polls: <see cref="Notify"/> now, or <see cref="NotifyAt"/> an instant on the
/// injected clock. Several notifications before the loop looks fold into one wake-up.
/// </summary>
public class WakeSignal(TimeProvider clock)
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another notifier got there first; one wake-up is enough.
            }
        }
    }

    /// <summary>Wakes the loop when the clock reaches <paramref name="dueUtc"/> (at once if it has).</summary>
    public void NotifyAt(DateTime dueUtc)
    {
        var wait = dueUtc - clock.GetUtcNow().UtcDateTime;
        if (wait <= TimeSpan.Zero)
        {
            Notify();
            return;
        }
        _ = Task.Delay(wait, clock).ContinueWith(_ => Notify(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Waits for a wake-up or until <paramref name="timeout"/> has passed on the clock, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = _signal.WaitAsync(either.Token);
        var elapsed = Task.Delay(timeout, clock, either.Token);
        await Task.WhenAny(woken, elapsed);
        // Cancel the loser: a pending semaphore wait left behind would swallow the next wake-up.
        await either.CancelAsync();
        await Task.WhenAll(woken, elapsed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ct.ThrowIfCancellationRequested();
    }
}

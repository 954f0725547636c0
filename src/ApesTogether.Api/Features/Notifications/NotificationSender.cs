using System.Globalization;
using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Notifications;

/// <summary>Wakes the sender's loop when alerts fall due (their batching window closes), instead of at its next poll.</summary>
public sealed class NotificationSignal(TimeProvider clock) : Infrastructure.WakeSignal(clock);

/// <summary>What one sending pass did; <c>PushAttempts</c> counts HTTP requests to the provider, in-call retries included.</summary>
public sealed record SendReport(int Pushes, int Notifications, int Suppressed, int Retried, int Failed, int DeferredRecipients, int PushAttempts = 0);

/// <summary>
/// Sends due notifications (queued or held, due_at ≤ now). Everything waiting for one recipient goes out as ONE push to
/// each of their devices: a single alert keeps its own text, several become "3 new trades from @stockguru". At most
/// MaxPerMinute pushes per clock minute (counted in the database, so across instances); the rest stay due.
/// The worker role runs the loop; tests call <see cref="SendDueAsync"/>.
/// </summary>
public sealed class NotificationSender(IServiceScopeFactory scopes, IPushSender push, TimeProvider clock, NotificationSignal signal,
    IOptions<NotificationOptions> options, ILogger<NotificationSender> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
                // Woken when alerts queued in this process fall due; polls for the rest (other instances, retries, held alerts).
                await signal.WaitAsync(options.Value.SendInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Sending notifications failed");
                await Task.Delay(options.Value.SendInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Key of the PostgreSQL advisory lock that lets one worker instance at a time send.</summary>
    const long SenderLockKey = 0x4150_4553_5055_5348; // "APESPUSH"

    public async Task<SendReport> SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (!db.Database.IsNpgsql())
        {
            return await SendDueCoreAsync(db, ct);
        }
        // Several worker instances may run the loop; the session lock makes them take turns instead of sending twice.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({SenderLockKey}) AS \"Value\"").SingleAsync(ct);
            if (!locked)
            {
                return new SendReport(0, 0, 0, 0, 0, 0);
            }
            try
            {
                return await SendDueCoreAsync(db, ct);
            }
            finally
            {
                await db.Database.SqlQuery<bool>($"SELECT pg_advisory_unlock({SenderLockKey}) AS \"Value\"").SingleAsync(CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    async Task<SendReport> SendDueCoreAsync(AppDbContext db, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var minuteStart = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

        var due = db.Notifications.Where(n => (n.Status == NotificationStatus.Queued || n.Status == NotificationStatus.Held) && n.DueAt <= now);
        var dueRecipients = await due.Select(n => n.UserId).Distinct().CountAsync(ct);
        if (dueRecipients == 0)
        {
            return new SendReport(0, 0, 0, 0, 0, 0);
        }
        var used = await db.Notifications.Where(n => n.SentAt >= minuteStart && n.PushId != null)
            .Select(n => n.PushId).Distinct().CountAsync(ct);
        var budget = Math.Max(0, o.MaxPerMinute - used);
        if (budget == 0)
        {
            logger.LogInformation("Push ceiling of {Max}/min reached; {Recipients} recipients wait for the next minute", o.MaxPerMinute, dueRecipients);
            return new SendReport(0, 0, 0, 0, 0, dueRecipients);
        }
        var userIds = await due.GroupBy(n => n.UserId).Select(g => new { UserId = g.Key, First = g.Min(n => n.DueAt) })
            .OrderBy(g => g.First).ThenBy(g => g.UserId).Take(budget).Select(g => g.UserId).ToListAsync(ct);
        // Everything waiting for these recipients folds in: alerts still inside their batching window, and held ones now due.
        var rows = await db.Notifications
            .Where(n => userIds.Contains(n.UserId)
                && (n.Status == NotificationStatus.Queued || (n.Status == NotificationStatus.Held && n.DueAt <= now)))
            .OrderBy(n => n.Id).ToListAsync(ct);
        var devices = (await db.DeviceTokens.Where(d => userIds.Contains(d.UserId)).ToListAsync(ct)).ToLookup(d => d.UserId);

        int pushes = 0, sentRows = 0, suppressed = 0, retried = 0, failed = 0;
        var recipients = new List<(List<Notification> Items, PushMessage[] Messages, DeviceToken[] Devices)>();
        foreach (var group in rows.GroupBy(n => n.UserId))
        {
            var items = group.ToList();
            var targets = devices[group.Key].ToArray();
            if (targets.Length == 0)
            {
                foreach (var n in items)
                {
                    n.Status = NotificationStatus.Suppressed;
                    n.LastError = "no device";
                }
                suppressed += items.Count;
                continue;
            }
            var (title, body, data) = Compose(items);
            recipients.Add((items, [.. targets.Select(d => new PushMessage(d.Token, d.Platform, title, body, data))], targets));
        }

        // FCM has no batch endpoint: the pushes go out in parallel (bounded), and their results are applied to the tracked
        // rows afterwards, on this thread alone, since a DbContext is not thread-safe.
        var sends = recipients.SelectMany((r, i) => r.Messages.Select((m, d) => (Recipient: i, Device: d, Message: m))).ToArray();
        var results = new (PushResult Result, DateTime At)[sends.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, sends.Length),
            new ParallelOptions { MaxDegreeOfParallelism = o.SendConcurrency, CancellationToken = ct },
            async (i, token) => results[i] = (await SendOneAsync(sends[i].Message, token), clock.GetUtcNow().UtcDateTime));

        var pushAttempts = 0;
        foreach (var recipient in sends.Zip(results).GroupBy(s => s.First.Recipient))
        {
            var (items, _, targets) = recipients[recipient.Key];
            var accepted = false;
            var anyTransient = false;
            string? error = null;
            TimeSpan? retryAfter = null;
            var at = DateTime.MinValue;
            var attempts = 0;
            foreach (var ((_, device, _), (result, doneAt)) in recipient)
            {
                attempts += result.Attempts;
                at = doneAt > at ? doneAt : at;
                switch (result.Status)
                {
                    case PushStatus.Accepted:
                        accepted = true;
                        break;
                    case PushStatus.TokenInvalid:
                        db.DeviceTokens.Remove(targets[device]);
                        error ??= result.Error ?? "token invalid";
                        break;
                    default:
                        anyTransient = true;
                        error = result.Error ?? "transient failure";
                        retryAfter = result.RetryAfter > retryAfter ? result.RetryAfter : retryAfter ?? result.RetryAfter;
                        break;
                }
            }
            pushAttempts += attempts;
            if (accepted)
            {
                var pushId = Guid.NewGuid();
                pushes++;
                foreach (var n in items)
                {
                    n.Status = NotificationStatus.Sent;
                    n.SentAt = at;
                    n.PushId = pushId;
                    n.Attempts++;
                    n.LatencyMs = (long)Math.Max(0, (at - n.SourceAt).TotalMilliseconds);
                    n.LastError = null;
                    logger.LogInformation("Notification {Id} sent to user {UserId}: status {Status}, attempts {Attempts}, " +
                        "push requests {PushAttempts} to {Devices} devices, latency {LatencyMs} ms",
                        n.Id, n.UserId, n.Status, n.Attempts, attempts, targets.Length, n.LatencyMs);
                }
                sentRows += items.Count;
                continue;
            }
            if (!anyTransient)
            {
                // Every token was rejected as gone: nothing to retry.
                foreach (var n in items)
                {
                    n.Status = NotificationStatus.Suppressed;
                    n.LastError = "no valid device";
                }
                suppressed += items.Count;
                continue;
            }
            foreach (var n in items)
            {
                n.Attempts++;
                n.LastError = error is null ? null : error.Length <= 1000 ? error : error[..1000];
                if (n.Attempts >= o.MaxAttempts)
                {
                    n.Status = NotificationStatus.Failed;
                    failed++;
                }
                else
                {
                    n.Status = NotificationStatus.Queued;
                    n.DueAt = at + (retryAfter ?? TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, n.Attempts))));
                    retried++;
                }
                logger.LogWarning("Notification {Id} for user {UserId} not sent: status {Status}, attempts {Attempts}, " +
                    "push requests {PushAttempts} to {Devices} devices, error {Error}",
                    n.Id, n.UserId, n.Status, n.Attempts, attempts, targets.Length, n.LastError);
            }
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return new SendReport(pushes, sentRows, suppressed, retried, failed, Math.Max(0, dueRecipients - userIds.Count), pushAttempts);
    }

    async Task<PushResult> SendOneAsync(PushMessage message, CancellationToken ct)
    {
        try
        {
            return await push.SendAsync(message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new PushResult(PushStatus.Transient, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    static (string Title, string Body, IReadOnlyDictionary<string, string> Data) Compose(List<Notification> items)
    {
        if (items.Count == 1)
        {
            var n = items[0];
            return (n.Title, n.Body, new Dictionary<string, string>
            {
                ["type"] = n.Type,
                ["notification_id"] = n.Id.ToString(CultureInfo.InvariantCulture),
                ["data"] = n.Data,
            });
        }
        var actors = items.Select(n => n.ActorUsername ?? "").Distinct(StringComparer.Ordinal).ToList();
        var title = actors.Count == 1 && actors[0].Length > 0
            ? $"{items.Count} new trades from @{actors[0]}"
            : $"{items.Count} new trades from {actors.Count} traders";
        var body = string.Join("; ", items.Take(5).Select(n => n.Title)) + (items.Count > 5 ? "; …" : "");
        return (title, body, new Dictionary<string, string>
        {
            ["type"] = "trade_alert_summary",
            ["count"] = items.Count.ToString(CultureInfo.InvariantCulture),
            ["notification_ids"] = string.Join(",", items.Select(n => n.Id.ToString(CultureInfo.InvariantCulture))),
        });
    }
}

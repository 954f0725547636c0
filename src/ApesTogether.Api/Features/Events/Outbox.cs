using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Market;
using ApesTogether.Api.Features.Trades;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Events;

/// <summary>Published for every executed trade, live or settled from the queue.</summary>
public sealed record TradeExecuted(Guid EventId, long TransactionId, long UserId, string Ticker, TradeAction Action,
    decimal Quantity, decimal Price, decimal Total, DateTime ExecutedAt, long? PendingTradeId)
{
    public const string Type = "trade_executed";
}

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    [Range(1, 10_000)] public int BatchSize { get; set; } = 100;
    /// <summary>Deliveries tried before an event is dead-lettered (kept, status Dead, counted in the health metrics).</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 5;
    [TimeSpanRange("00:00:00.050", "00:01:00")] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a claimed batch is reserved for the dispatcher that claimed it.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")] public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A consumer of events. Its effect and its processed-event record commit together, so redeliveries are no-ops.</summary>
public interface IEventConsumer
{
    string Name { get; }

    Task HandleAsync(AppDbContext db, TradeExecuted trade, CancellationToken ct);

    /// <summary>Called after the transaction with the consumer's effect committed (not after a failure or a no-op redelivery).</summary>
    void Committed(TradeExecuted trade)
    {
    }
}

/// <summary>Writes events into the outbox inside the caller's transaction and wakes the dispatcher after commit.</summary>
public sealed class Outbox(AppDbContext db, IOptions<JsonOptions> json, TimeProvider clock, OutboxSignal signal)
{
    public void Add(TradeExecuted trade)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        db.OutboxMessages.Add(new OutboxMessage
        {
            EventId = trade.EventId,
            Type = TradeExecuted.Type,
            Payload = JsonSerializer.Serialize(trade, json.Value.SerializerOptions),
            CreatedAt = now,
            AvailableAt = now,
            Status = OutboxStatus.Pending,
        });
    }

    /// <summary>Call after the commit: the dispatcher looks now instead of at its next poll.</summary>
    public void Committed() => signal.Notify();
}

/// <summary>Wakes the in-process dispatcher when an event was committed.</summary>
public sealed class OutboxSignal(TimeProvider clock) : WakeSignal(clock);

public sealed record DispatchReport(int Claimed, int Delivered, int Retried, int DeadLettered);

/// <summary>
/// Takes claimed outbox events from the dispatcher to their consumers: <see cref="InProcessTransport"/> runs them here,
/// <see cref="RabbitMqTransport"/> hands the events to the broker, whose consumers run in the worker role.
/// </summary>
public interface IEventTransport
{
    /// <summary>One outcome per event, in order. Throws <see cref="EventTransportUnavailableException"/> when nothing can be sent now.</summary>
    Task<IReadOnlyList<DeliveryOutcome>> SendAsync(IReadOnlyList<OutboundEvent> batch, CancellationToken ct);
}

public sealed record OutboundEvent(OutboxMessage Message, TradeExecuted Event);

/// <summary>Null error: delivered (or accepted by the broker). Otherwise a failed attempt, or, when the transport itself was
/// unreachable, a wait that does not count as an attempt: an outage of the broker never dead-letters an event.</summary>
public sealed record DeliveryOutcome(string? Error = null, bool Unavailable = false)
{
    public static readonly DeliveryOutcome Delivered = new();
}

/// <summary>The transport cannot take events now (broker down): the batch is released and tried again shortly.</summary>
public sealed class EventTransportUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Runs one consumer on one event: its effect and its processed-event record commit in one transaction, so a
/// redelivered event is a no-op. Both transports deliver through here.</summary>
public sealed class EventConsumerRunner(IServiceScopeFactory scopes, TimeProvider clock)
{
    public async Task RunAsync(IEventConsumer consumer, TradeExecuted trade, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.ProcessedEvents.AnyAsync(p => p.Consumer == consumer.Name && p.EventId == trade.EventId, ct))
        {
            return;
        }
        await consumer.HandleAsync(db, trade, ct);
        db.ProcessedEvents.Add(new ProcessedEvent { Consumer = consumer.Name, EventId = trade.EventId, ProcessedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        consumer.Committed(trade);
    }
}

/// <summary>The embedded default: every consumer runs in this process, one event after another.</summary>
public sealed class InProcessTransport(IEnumerable<IEventConsumer> consumers, EventConsumerRunner runner, ILogger<InProcessTransport> logger)
    : IEventTransport
{
    public async Task<IReadOnlyList<DeliveryOutcome>> SendAsync(IReadOnlyList<OutboundEvent> batch, CancellationToken ct)
    {
        var outcomes = new List<DeliveryOutcome>(batch.Count);
        foreach (var item in batch)
        {
            try
            {
                foreach (var consumer in consumers)
                {
                    await runner.RunAsync(consumer, item.Event, ct);
                }
                outcomes.Add(DeliveryOutcome.Delivered);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Delivery of event {EventId} failed (attempt {Attempt})", item.Message.EventId, item.Message.Attempts + 1);
                outcomes.Add(new DeliveryOutcome($"{ex.GetType().Name}: {ex.Message}"));
            }
        }
        return outcomes;
    }
}

/// <summary>
/// Delivers outbox events through the configured transport, at least once. A batch is claimed by pushing its rows'
/// available_at past a lease (with FOR UPDATE SKIP LOCKED on PostgreSQL, so several worker instances share the work without
/// taking the same rows); a failed delivery is retried with backoff and dead-lettered after MaxAttempts; an unreachable
/// broker only delays the batch.
/// </summary>
public sealed class OutboxDispatcher(IServiceScopeFactory scopes, IEventTransport transport, TimeProvider clock,
    IOptions<OutboxOptions> options, IOptions<JsonOptions> json, ILogger<OutboxDispatcher> logger)
{
    /// <summary>How long a batch waits after the transport was unreachable.</summary>
    public static readonly TimeSpan UnavailableBackoff = TimeSpan.FromSeconds(2);

    public async Task<DispatchReport> DispatchOnceAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var lease = now + o.Lease;
        List<long> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var pending = OutboxStatus.Pending.ToString();
            ids = db.Database.IsNpgsql()
                ? await db.Database.SqlQuery<long>($"""
                    UPDATE outbox_messages SET available_at = {lease}
                    WHERE id IN (SELECT id FROM outbox_messages WHERE status = {pending} AND available_at <= {now}
                                 ORDER BY id LIMIT {o.BatchSize} FOR UPDATE SKIP LOCKED)
                    RETURNING id AS "Value"
                    """).ToListAsync(CancellationToken.None)
                : await db.Database.SqlQuery<long>($"""
                    UPDATE outbox_messages SET available_at = {lease}
                    WHERE id IN (SELECT id FROM outbox_messages WHERE status = {pending} AND available_at <= {now}
                                 ORDER BY id LIMIT {o.BatchSize})
                    RETURNING id AS "Value"
                    """).ToListAsync(CancellationToken.None);
        }
        if (ids.Count == 0)
        {
            return new DispatchReport(0, 0, 0, 0);
        }
        try
        {
            return await DeliverClaimedAsync(ids, ct);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Shutting down: give the batch back now rather than when the lease runs out, so the next start takes it at once.
            await ReleaseAsync(ids);
            throw;
        }
    }

    async Task<DispatchReport> DeliverClaimedAsync(List<long> ids, CancellationToken ct)
    {
        var o = options.Value;
        List<OutboxMessage> batch;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            batch = await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync(ct);
        }

        var outcomes = new DeliveryOutcome[batch.Count];
        var sendable = new List<OutboundEvent>(batch.Count);
        var sendableIndex = new List<int>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                var trade = JsonSerializer.Deserialize<TradeExecuted>(batch[i].Payload, json.Value.SerializerOptions)
                    ?? throw new JsonException("Empty event payload.");
                sendable.Add(new OutboundEvent(batch[i], trade));
                sendableIndex.Add(i);
            }
            catch (JsonException ex)
            {
                outcomes[i] = new DeliveryOutcome($"Unreadable payload: {ex.Message}");
            }
        }
        if (sendable.Count > 0)
        {
            IReadOnlyList<DeliveryOutcome> sent;
            try
            {
                sent = await transport.SendAsync(sendable, ct);
            }
            catch (EventTransportUnavailableException ex)
            {
                logger.LogWarning("Event transport unavailable, {Count} events wait: {Error}", sendable.Count, ex.Message);
                sent = [.. sendable.Select(_ => new DeliveryOutcome(ex.Message, Unavailable: true))];
            }
            for (var k = 0; k < sendableIndex.Count; k++)
            {
                outcomes[sendableIndex[k]] = sent[k];
            }
        }

        await using var update = scopes.CreateAsyncScope();
        var udb = update.ServiceProvider.GetRequiredService<AppDbContext>();
        var at = clock.GetUtcNow().UtcDateTime;
        var deliveredIds = batch.Where((_, i) => outcomes[i].Error is null).Select(m => m.Id).ToList();
        if (deliveredIds.Count > 0)
        {
            await udb.OutboxMessages.Where(m => deliveredIds.Contains(m.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, OutboxStatus.Delivered).SetProperty(m => m.DeliveredAt, at)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1), CancellationToken.None);
        }
        static string Trim(string error) => error.Length <= 1000 ? error : error[..1000];
        int retried = 0, dead = 0;
        // An unreachable transport is not an attempt: those rows only wait, one update per distinct error (usually one).
        foreach (var waiting in Enumerable.Range(0, batch.Count).Where(i => outcomes[i] is { Error: not null, Unavailable: true })
                     .GroupBy(i => Trim(outcomes[i].Error!), i => batch[i].Id))
        {
            var waitingIds = waiting.ToList();
            await udb.OutboxMessages.Where(m => waitingIds.Contains(m.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.LastError, waiting.Key).SetProperty(m => m.AvailableAt, at + UnavailableBackoff), CancellationToken.None);
            retried += waitingIds.Count;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            if (outcomes[i] is not { Error: { } error, Unavailable: false })
            {
                continue;
            }
            var trimmed = Trim(error);
            var attempts = message.Attempts + 1;
            var giveUp = attempts >= o.MaxAttempts;
            var retryAt = at + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempts)));
            await udb.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, giveUp ? OutboxStatus.Dead : OutboxStatus.Pending)
                .SetProperty(m => m.Attempts, attempts).SetProperty(m => m.LastError, trimmed)
                .SetProperty(m => m.AvailableAt, retryAt), CancellationToken.None);
            if (giveUp)
            {
                dead++;
                logger.LogError("Event {EventId} dead-lettered after {Attempts} attempts: {Error}", message.EventId, attempts, error);
            }
            else
            {
                retried++;
            }
        }
        return new DispatchReport(batch.Count, deliveredIds.Count, retried, dead);
    }

    async Task ReleaseAsync(List<long> ids)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        await db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.Status == OutboxStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AvailableAt, now), CancellationToken.None);
    }
}

/// <summary>Worker role: dispatches whenever an event is committed in this process, and at least every poll interval.</summary>
public sealed class OutboxWorker(OutboxDispatcher dispatcher, OutboxSignal signal, IOptions<OutboxOptions> options, ILogger<OutboxWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var report = await dispatcher.DispatchOnceAsync(stoppingToken);
                if (report.Claimed == options.Value.BatchSize)
                {
                    continue;
                }
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Outbox dispatch failed");
                await Task.Delay(options.Value.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}

/// <summary>Analytics counters: trades per user per exchange day.</summary>
public sealed class TradeCountConsumer : IEventConsumer
{
    public string Name => "analytics";

    public Task HandleAsync(AppDbContext db, TradeExecuted trade, CancellationToken ct)
    {
        var date = MarketCalendar.ExchangeDate(new DateTimeOffset(DateTime.SpecifyKind(trade.ExecutedAt, DateTimeKind.Utc)));
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO trade_counts (user_id, date, trades) VALUES ({trade.UserId}, {date}, 1)
            ON CONFLICT (user_id, date) DO UPDATE SET trades = trade_counts.trades + 1
            """, ct);
    }
}

public static class EventsSetup
{
    public static IHostApplicationBuilder AddEvents(this IHostApplicationBuilder builder, bool worker)
    {
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddScoped<Outbox>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddSingleton<EventConsumerRunner>();
        builder.Services.AddSingleton<IEventConsumer, TradeCountConsumer>();
        var rabbit = builder.AddRabbitMqTransport(worker);
        if (!rabbit)
        {
            builder.Services.AddSingleton<IEventTransport, InProcessTransport>();
        }
        if (worker)
        {
            builder.Services.AddHostedService<OutboxWorker>();
        }
        return builder;
    }
}

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
public sealed class OutboxSignal
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

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

public sealed record DispatchReport(int Claimed, int Delivered, int Retried, int DeadLettered);

/// <summary>
/// Delivers outbox events to every consumer, at least once. A batch is claimed by pushing its rows' available_at past a
/// lease (with FOR UPDATE SKIP LOCKED on PostgreSQL, so several worker instances share the work without taking the same
/// rows); a failed delivery is retried with backoff and dead-lettered after MaxAttempts.
/// </summary>
public sealed class OutboxDispatcher(IServiceScopeFactory scopes, IEnumerable<IEventConsumer> consumers, TimeProvider clock,
    IOptions<OutboxOptions> options, IOptions<JsonOptions> json, ILogger<OutboxDispatcher> logger)
{
    public async Task<DispatchReport> DispatchOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var lease = now + o.Lease;
        List<OutboxMessage> batch;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var pending = OutboxStatus.Pending.ToString();
            var ids = db.Database.IsNpgsql()
                ? await db.Database.SqlQuery<long>($"""
                    UPDATE outbox_messages SET available_at = {lease}
                    WHERE id IN (SELECT id FROM outbox_messages WHERE status = {pending} AND available_at <= {now}
                                 ORDER BY id LIMIT {o.BatchSize} FOR UPDATE SKIP LOCKED)
                    RETURNING id AS "Value"
                    """).ToListAsync(ct)
                : await db.Database.SqlQuery<long>($"""
                    UPDATE outbox_messages SET available_at = {lease}
                    WHERE id IN (SELECT id FROM outbox_messages WHERE status = {pending} AND available_at <= {now}
                                 ORDER BY id LIMIT {o.BatchSize})
                    RETURNING id AS "Value"
                    """).ToListAsync(ct);
            batch = await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync(ct);
        }

        int delivered = 0, retried = 0, dead = 0;
        foreach (var message in batch)
        {
            string? error = null;
            try
            {
                var trade = JsonSerializer.Deserialize<TradeExecuted>(message.Payload, json.Value.SerializerOptions)
                    ?? throw new InvalidOperationException("Empty event payload.");
                foreach (var consumer in consumers)
                {
                    await DeliverAsync(consumer, trade, ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
                logger.LogWarning(ex, "Delivery of event {EventId} failed (attempt {Attempt})", message.EventId, message.Attempts + 1);
            }
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var at = clock.GetUtcNow().UtcDateTime;
            if (error is null)
            {
                await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, OutboxStatus.Delivered).SetProperty(m => m.DeliveredAt, at)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1), CancellationToken.None);
                delivered++;
                continue;
            }
            var attempts = message.Attempts + 1;
            var giveUp = attempts >= o.MaxAttempts;
            var retryAt = at + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempts)));
            var trimmed = error.Length <= 1000 ? error : error[..1000];
            await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
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
        return new DispatchReport(batch.Count, delivered, retried, dead);
    }

    async Task DeliverAsync(IEventConsumer consumer, TradeExecuted trade, CancellationToken ct)
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
        builder.Services.AddSingleton<IEventConsumer, TradeCountConsumer>();
        if (worker)
        {
            builder.Services.AddHostedService<OutboxWorker>();
        }
        return builder;
    }
}

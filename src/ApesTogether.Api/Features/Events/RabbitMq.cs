using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ApesTogether.Api.Features.Events;

public sealed class MessagingOptions
{
    public const string Section = "Messaging";
    public const string InProcess = "InProcess";
    public const string RabbitMq = "RabbitMq";

    /// <summary><c>InProcess</c> (default): consumers run in the dispatching process. <c>RabbitMq</c>: through the broker.</summary>
    [RegularExpression("^(InProcess|RabbitMq)$")] public string Transport { get; set; } = InProcess;
}

public sealed class RabbitMqOptions
{
    public const string Section = "Messaging:RabbitMq";

    /// <summary>Start of every exchange and queue name, so several deployments (or test runs) can share one broker.</summary>
    [RegularExpression("^[a-z0-9][a-z0-9._-]{0,39}$")] public string Prefix { get; set; } = "apes";
    /// <summary>Deliveries of one event to one consumer before the broker dead-letters it into <c>{prefix}.{consumer}.dead</c>.</summary>
    [Range(1, 100)] public int MaxDeliveries { get; set; } = 5;
    /// <summary>Unacknowledged messages a consumer channel holds at once.</summary>
    [Range(1, 10_000)] public int Prefetch { get; set; } = 32;
    /// <summary>Events one worker instance handles at once per consumer.</summary>
    [Range(1, 64)] public int ConsumerConcurrency { get; set; } = 4;
    /// <summary>Wait before a failed delivery goes back to the queue, times the delivery count (at most 30 s).</summary>
    [TimeSpanRange("00:00:00", "00:00:30")] public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Wait between attempts to reach the broker when it is down at start.</summary>
    [TimeSpanRange("00:00:00.100", "00:05:00")] public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The connection to RabbitMQ and the topology: a durable topic exchange <c>{prefix}.events</c>; per consumer a durable
/// quorum queue <c>{prefix}.{consumer}</c> bound to it by event type, whose messages the broker dead-letters after
/// MaxDeliveries failed deliveries into <c>{prefix}.{consumer}.dead</c> (through the direct exchange <c>{prefix}.events.dead</c>).
/// Both sides declare the topology, so the publisher never sends into an unbound exchange. The client recovers the
/// connection, channels and consumers by itself after a broker restart.
/// </summary>
public sealed class RabbitMqBroker(IConfiguration configuration, IOptions<RabbitMqOptions> options, IEnumerable<IEventConsumer> consumers,
    ILogger<RabbitMqBroker> logger) : IAsyncDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    IConnection? _connection;
    IChannel? _publisher;

    string Prefix => options.Value.Prefix;
    public string Exchange => $"{Prefix}.events";
    public string DeadExchange => $"{Prefix}.events.dead";
    public string QueueOf(string consumer) => $"{Prefix}.{consumer}";
    public string DeadQueueOf(string consumer) => $"{Prefix}.{consumer}.dead";

    public async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        if (_connection is { } open)
        {
            return open;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_connection is { } raced)
            {
                return raced;
            }
            var factory = new ConnectionFactory
            {
                Uri = new Uri(configuration.GetConnectionString("RabbitMq")
                    ?? throw new InvalidOperationException("Messaging:Transport=RabbitMq needs ConnectionStrings:RabbitMq.")),
                AutomaticRecoveryEnabled = true,
                TopologyRecoveryEnabled = true,
                ClientProvidedName = "apes-together",
            };
            var connection = await factory.CreateConnectionAsync(ct);
            try
            {
                await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
                await DeclareTopologyAsync(channel, ct);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            logger.LogInformation("Connected to RabbitMQ; exchange {Exchange}", Exchange);
            return _connection = connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task DeclareTopologyAsync(IChannel channel, CancellationToken ct)
    {
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.ExchangeDeclareAsync(DeadExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: ct);
        foreach (var consumer in consumers)
        {
            var queue = QueueOf(consumer.Name);
            var arguments = new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                // The broker counts failed deliveries (nack with requeue) and dead-letters past the limit.
                ["x-delivery-limit"] = options.Value.MaxDeliveries - 1,
                ["x-dead-letter-exchange"] = DeadExchange,
                ["x-dead-letter-routing-key"] = consumer.Name,
            };
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: ct);
            await channel.QueueBindAsync(queue, Exchange, TradeExecuted.Type, cancellationToken: ct);
            var dead = DeadQueueOf(consumer.Name);
            await channel.QueueDeclareAsync(dead, durable: true, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
            await channel.QueueBindAsync(dead, DeadExchange, consumer.Name, cancellationToken: ct);
        }
    }

    /// <summary>The channel events are published on, with publisher confirms tracked by the client.</summary>
    public async Task<IChannel> PublisherAsync(CancellationToken ct)
    {
        if (_publisher is { IsOpen: true } open)
        {
            return open;
        }
        var connection = await ConnectAsync(ct);
        await _gate.WaitAsync(ct);
        try
        {
            if (_publisher is { IsOpen: true } raced)
            {
                return raced;
            }
            if (_publisher is { } closed)
            {
                await closed.DisposeAsync();
            }
            return _publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Messages waiting in each consumer's queue and dead-letter queue (for the health report).</summary>
    public async Task<IReadOnlyList<QueueDepth>> DepthsAsync(CancellationToken ct)
    {
        var connection = await ConnectAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var depths = new List<QueueDepth>();
        foreach (var consumer in consumers)
        {
            var queue = await channel.QueueDeclarePassiveAsync(QueueOf(consumer.Name), ct);
            var dead = await channel.QueueDeclarePassiveAsync(DeadQueueOf(consumer.Name), ct);
            depths.Add(new QueueDepth(queue.QueueName, queue.MessageCount, queue.ConsumerCount, dead.MessageCount));
        }
        return depths;
    }

    public async ValueTask DisposeAsync()
    {
        if (_publisher is { } publisher)
        {
            await publisher.DisposeAsync();
        }
        if (_connection is { } connection)
        {
            await connection.DisposeAsync();
        }
        _gate.Dispose();
    }
}

public sealed record QueueDepth(string Queue, uint Ready, uint Consumers, uint DeadLettered);

/// <summary>
/// Hands claimed outbox events to RabbitMQ: persistent messages published with mandatory routing, the batch in flight at
/// once, each confirmed by the broker before its outbox row is marked delivered. An unreachable broker delays the batch.
/// </summary>
public sealed class RabbitMqTransport(RabbitMqBroker broker, ILogger<RabbitMqTransport> logger) : IEventTransport
{
    public async Task<IReadOnlyList<DeliveryOutcome>> SendAsync(IReadOnlyList<OutboundEvent> batch, CancellationToken ct)
    {
        IChannel channel;
        try
        {
            channel = await broker.PublisherAsync(ct);
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException
                                       or System.Net.Sockets.SocketException or IOException or TimeoutException)
        {
            throw new EventTransportUnavailableException($"RabbitMQ unreachable: {ex.Message}", ex);
        }
        return await Task.WhenAll(batch.Select(item => PublishAsync(channel, item, ct)));
    }

    async Task<DeliveryOutcome> PublishAsync(IChannel channel, OutboundEvent item, CancellationToken ct)
    {
        var message = item.Message;
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = message.EventId.ToString(),
            Type = message.Type,
            ContentType = "application/json",
            Timestamp = new AmqpTimestamp(new DateTimeOffset(DateTime.SpecifyKind(message.CreatedAt, DateTimeKind.Utc)).ToUnixTimeSeconds()),
        };
        try
        {
            await channel.BasicPublishAsync(broker.Exchange, message.Type, mandatory: true, properties, Encoding.UTF8.GetBytes(message.Payload), ct);
            return DeliveryOutcome.Delivered;
        }
        catch (PublishException ex)
        {
            // Nacked or returned as unroutable: the broker has not taken it; a later attempt may succeed.
            logger.LogWarning("RabbitMQ did not take event {EventId} (return: {IsReturn})", message.EventId, ex.IsReturn);
            return new DeliveryOutcome($"Broker refused the event (return: {ex.IsReturn}).");
        }
        catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or IOException or TimeoutException)
        {
            return new DeliveryOutcome($"RabbitMQ unreachable: {ex.Message}", Unavailable: true);
        }
    }
}

/// <summary>
/// Worker role with the RabbitMQ transport: one consuming channel per consumer, manual acknowledgements after the
/// consumer's transaction commits. A failed delivery goes back to the queue after a growing wait; the broker dead-letters
/// it after MaxDeliveries. An unreadable message is dead-lettered at once. Several instances share each queue.
/// </summary>
public sealed class RabbitMqConsumerHost(RabbitMqBroker broker, IEnumerable<IEventConsumer> consumers, EventConsumerRunner runner,
    IOptions<RabbitMqOptions> options, IOptions<JsonOptions> json, TimeProvider clock, ILogger<RabbitMqConsumerHost> logger)
    : BackgroundService
{
    readonly List<IChannel> _channels = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        IConnection? connection = null;
        while (connection is null)
        {
            try
            {
                connection = await broker.ConnectAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("RabbitMQ not reachable ({Error}); trying again in {Delay}", ex.Message, o.ReconnectDelay);
                await Task.Delay(o.ReconnectDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
        foreach (var consumer in consumers)
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(false, false, consumerDispatchConcurrency: (ushort)o.ConsumerConcurrency), stoppingToken);
            lock (_channels)
            {
                _channels.Add(channel);
            }
            await channel.BasicQosAsync(0, (ushort)o.Prefetch, global: false, stoppingToken);
            var subscriber = new AsyncEventingBasicConsumer(channel);
            subscriber.ReceivedAsync += (_, delivery) => HandleAsync(channel, consumer, delivery, stoppingToken);
            await channel.BasicConsumeAsync(broker.QueueOf(consumer.Name), autoAck: false, subscriber, stoppingToken);
        }
        logger.LogInformation("Consuming the queues of {Count} consumers", consumers.Count());
        await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    async Task HandleAsync(IChannel channel, IEventConsumer consumer, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        TradeExecuted trade;
        try
        {
            trade = JsonSerializer.Deserialize<TradeExecuted>(delivery.Body.Span, json.Value.SerializerOptions)
                ?? throw new JsonException("Empty event payload.");
        }
        catch (JsonException ex)
        {
            logger.LogError("Unreadable message {MessageId} on {Queue} dead-lettered: {Error}",
                delivery.BasicProperties.MessageId, broker.QueueOf(consumer.Name), ex.Message);
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false, CancellationToken.None);
            return;
        }
        try
        {
            await runner.RunAsync(consumer, trade, stoppingToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: unacknowledged, so the broker hands it to the next instance (or to this one after restart).
        }
        catch (Exception ex)
        {
            var deliveries = DeliveryCount(delivery) + 1;
            logger.LogWarning(ex, "Consumer {Consumer} failed on event {EventId} (delivery {Delivery} of {Max})",
                consumer.Name, trade.EventId, deliveries, options.Value.MaxDeliveries);
            var wait = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, options.Value.RetryDelay.Ticks * deliveries));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (!stoppingToken.IsCancellationRequested)
            {
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            }
        }
    }

    /// <summary>Earlier failed deliveries of this message, as the quorum queue counts them.</summary>
    static long DeliveryCount(BasicDeliverEventArgs delivery) =>
        delivery.BasicProperties.Headers?.TryGetValue("x-delivery-count", out var value) == true && value is not null
            ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<IChannel> channels;
        lock (_channels)
        {
            channels = [.. _channels];
            _channels.Clear();
        }
        foreach (var channel in channels)
        {
            try
            {
                if (channel.IsOpen)
                {
                    await channel.CloseAsync(cancellationToken);
                }
                await channel.DisposeAsync();
            }
            catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or IOException or ObjectDisposedException)
            {
                // Already gone with the broker or the connection.
            }
        }
    }
}

public static class RabbitMqSetup
{
    /// <summary>Registers the RabbitMQ transport when configured; true if it did.</summary>
    public static bool AddRabbitMqTransport(this IHostApplicationBuilder builder, bool worker)
    {
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Transport != MessagingOptions.RabbitMq || !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("RabbitMq")),
                "Messaging:Transport=RabbitMq needs ConnectionStrings:RabbitMq (an AMQP URI).")
            .ValidateOnStart();
        var transport = builder.Configuration[$"{MessagingOptions.Section}:Transport"];
        if (!string.Equals(transport, MessagingOptions.RabbitMq, StringComparison.Ordinal))
        {
            return false;
        }
        builder.Services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RabbitMqBroker>();
        builder.Services.AddSingleton<IEventTransport, RabbitMqTransport>();
        if (worker)
        {
            builder.Services.AddHostedService<RabbitMqConsumerHost>();
        }
        return true;
    }
}

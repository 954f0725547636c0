namespace ApesTogether.IntegrationTests.Infrastructure;

/// <summary>
/// The RabbitMQ broker the test script started (APES_TEST_RABBITMQ, an AMQP URI). Each caller gets its own name prefix, so
/// tests share the broker without sharing queues. A missing broker fails the test: it never skips.
/// </summary>
public static class TestBroker
{
    public static string Uri => Environment.GetEnvironmentVariable("APES_TEST_RABBITMQ")
        ?? throw new InvalidOperationException("The RabbitMQ tests need APES_TEST_RABBITMQ (run the tests through ./test.sh, which starts a broker).");

    /// <summary>Settings that select the RabbitMQ transport under a fresh prefix (or the given one, to share queues).</summary>
    public static Dictionary<string, string?> Settings(string prefix) => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["ConnectionStrings:RabbitMq"] = Uri,
        ["Messaging:RabbitMq:Prefix"] = prefix,
        ["Messaging:RabbitMq:RetryDelay"] = "00:00:00",
        ["Messaging:RabbitMq:ReconnectDelay"] = "00:00:00.200",
    };

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];
}

using System.Collections.Concurrent;
using ApesTogether.Api.Features.Notifications;

namespace ApesTogether.IntegrationTests.Infrastructure;

/// <summary>The edge of the world (FCM) for tests that look at the pushes, not the wire: records every push and accepts it.</summary>
public sealed class CapturingPushSender : IPushSender
{
    public ConcurrentQueue<PushMessage> Sent { get; } = new();

    /// <summary>Answers to give, in order, before accepting everything.</summary>
    public ConcurrentQueue<PushResult> Script { get; } = new();

    public Task<PushResult> SendAsync(PushMessage message, CancellationToken ct)
    {
        Sent.Enqueue(message);
        return Task.FromResult(Script.TryDequeue(out var scripted) ? scripted : PushResult.Accepted);
    }

    public List<PushMessage> To(string token) => Sent.Where(m => m.Token == token).ToList();
}

namespace ApesTogether.Api.Features.Notifications;

/// <summary>One push to one device.</summary>
public sealed record PushMessage(string Token, string Platform, string Title, string Body, IReadOnlyDictionary<string, string> Data);

public enum PushStatus
{
    Accepted,
    /// <summary>Worth another try later (rate limit, outage, timeout); never a reason to drop the token.</summary>
    Transient,
    /// <summary>The provider says the token is gone (FCM UNREGISTERED): remove it.</summary>
    TokenInvalid,
}

/// <summary>How one push went; <c>Attempts</c> counts the HTTP requests the sender made for it (in-call retries included).</summary>
public sealed record PushResult(PushStatus Status, string? Error = null, TimeSpan? RetryAfter = null, int Attempts = 1)
{
    public static readonly PushResult Accepted = new(PushStatus.Accepted);
}

/// <summary>The edge to the push provider: <see cref="LogPushSender"/> (default) or <see cref="FcmPushSender"/>. Called from several threads at once.</summary>
public interface IPushSender
{
    Task<PushResult> SendAsync(PushMessage message, CancellationToken ct);
}

/// <summary>Development sender: writes each push to the log and accepts it.</summary>
public sealed class LogPushSender(ILogger<LogPushSender> logger) : IPushSender
{
    public Task<PushResult> SendAsync(PushMessage message, CancellationToken ct)
    {
        var token = message.Token.Length <= 8 ? message.Token : message.Token[..8] + "…";
        logger.LogInformation("Push to {Platform} device {Token}: {Title} — {Body}", message.Platform, token, message.Title, message.Body);
        return Task.FromResult(PushResult.Accepted);
    }
}

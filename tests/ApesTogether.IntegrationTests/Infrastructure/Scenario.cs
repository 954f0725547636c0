using System.Net;
using System.Net.Http.Json;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Events;
using ApesTogether.Api.Features.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.IntegrationTests.Infrastructure;

/// <summary>Steps the event and notification tests share: subscribing, registering devices, reading the database, waiting.</summary>
public static class Scenario
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<T> WithDbAsync<T>(this ApiFactory api, Func<AppDbContext, Task<T>> work)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public static async Task SubscribeAsync(this TestUser fan, TestUser creator) =>
        await (await fan.Client.PostJsonAsync("/api/v1/subscriptions", new { username = creator.Username })).ReadJsonAsync(HttpStatusCode.Created);

    /// <summary>Registers a new device token for the user and returns it.</summary>
    public static async Task<string> DeviceAsync(this TestUser user, string platform = "ios")
    {
        var token = "tok-" + Guid.NewGuid().ToString("N");
        await (await user.Client.PostJsonAsync("/api/v1/devices", new { token, platform })).ReadJsonAsync(HttpStatusCode.Created);
        return token;
    }

    /// <summary>One dispatch pass of the outbox, as the worker's loop would run it.</summary>
    public static Task<DispatchReport> DispatchAsync(this ApiFactory api) =>
        api.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync(Ct);

    /// <summary>One pass of the notification sender, as the worker's loop would run it.</summary>
    public static Task<SendReport> SendDueAsync(this ApiFactory api) =>
        api.Services.GetRequiredService<NotificationSender>().SendDueAsync(Ct);

    public static Task<HttpResponseMessage> PutSettingsAsync(this TestUser user, object body) =>
        user.Client.PutAsJsonAsync("/api/v1/notifications/settings", body, Ct);

    /// <summary>
    /// Polls until the condition holds, for work done by background services in real time (a worker, a broker). Fails
    /// with the description after the timeout; never a speed assertion, only a bound on a hang.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string description, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {description}");
            await Task.Delay(50, Ct);
        }
    }
}

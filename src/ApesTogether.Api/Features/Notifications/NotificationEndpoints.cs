using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Auth;
using ApesTogether.Api.Features.Events;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Notifications;

public static class NotificationEndpoints
{

    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder, bool worker)
    {
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        builder.Services.AddSingleton<LogPushSender>();
        FcmPushSender.AddHttpClients(builder.Services);
        builder.Services.AddSingleton<IPushSender>(sp => sp.GetRequiredService<IOptions<NotificationOptions>>().Value.UsesFcm
            ? sp.GetRequiredService<FcmPushSender>()
            : sp.GetRequiredService<LogPushSender>());
        builder.Services.AddSingleton<IEventConsumer, NotificationFanoutConsumer>();
        builder.Services.AddSingleton<NotificationSignal>();
        builder.Services.AddSingleton<NotificationSender>();
        if (worker)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<NotificationSender>());
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Notifications").RequireAuthorization();
        api.MapPost("/devices", RegisterDevice);
        api.MapDelete("/devices/{token}", UnregisterDevice);
        api.MapGet("/notifications", History);
        api.MapGet("/notifications/settings", GetSettings);
        api.MapPut("/notifications/settings", PutSettings);
        return app;
    }

    static async Task<Created<DeviceResponse>> RegisterDevice(RegisterDeviceRequest request, ClaimsPrincipal principal, AppDbContext db,
        TimeProvider clock, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        var now = clock.GetUtcNow().UtcDateTime;
        for (var attempt = 0; ; attempt++)
        {
            // A token belongs to one device and so to one user: registering it again moves it to the caller.
            var moved = await db.DeviceTokens.Where(d => d.Token == request.Token).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.UserId, userId).SetProperty(d => d.Platform, request.Platform).SetProperty(d => d.LastSeenAt, now), ct);
            if (moved == 0)
            {
                var device = new DeviceToken { Token = request.Token, UserId = userId, Platform = request.Platform, CreatedAt = now, LastSeenAt = now };
                db.DeviceTokens.Add(device);
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException) when (attempt == 0)
                {
                    // A parallel registration of the same token won the insert; take it over instead.
                    db.ChangeTracker.Clear();
                    continue;
                }
            }
            var row = await db.DeviceTokens.AsNoTracking().SingleAsync(d => d.Token == request.Token, ct);
            return TypedResults.Created("/api/v1/devices", new DeviceResponse(row.Token, row.Platform, row.CreatedAt, row.LastSeenAt));
        }
    }

    static async Task<NoContent> UnregisterDevice(string token, ClaimsPrincipal principal, AppDbContext db, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        await db.DeviceTokens.Where(d => d.Token == token && d.UserId == userId).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<NotificationPage>, ProblemHttpResult>> History(int? limit, string? before, ClaimsPrincipal principal,
        AppDbContext db, CancellationToken ct)
    {
        if (!CursorPage.TryParse(limit, before, out var page, out var problem))
        {
            return problem;
        }
        var userId = principal.GetUserId();
        var rows = await db.Notifications.AsNoTracking()
            .Where(n => n.UserId == userId && (page.Before == null || n.Id < page.Before))
            .OrderByDescending(n => n.Id).Take(page.Size + 1).ToListAsync(ct);
        var (rowsOnPage, next) = page.Cut(rows, n => n.Id);
        var items = rowsOnPage.Select(n => new NotificationResponse(n.Id, n.Type, n.Title, n.Body, ParseData(n.Data), n.Status,
            n.CreatedAt, n.SentAt)).ToList();
        return TypedResults.Ok(new NotificationPage(items, next));
    }

    static JsonElement ParseData(string data)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrEmpty(data) ? "{}" : data);
        return doc.RootElement.Clone();
    }

    static async Task<Ok<NotificationSettingsResponse>> GetSettings(ClaimsPrincipal principal, AppDbContext db, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        var settings = await db.NotificationSettings.AsNoTracking().SingleOrDefaultAsync(s => s.UserId == userId, ct)
            ?? new NotificationSettings { UserId = userId };
        return TypedResults.Ok(await ToResponseAsync(db, settings, ct));
    }

    static async Task<Results<Ok<NotificationSettingsResponse>, ProblemHttpResult>> PutSettings(UpdateNotificationSettingsRequest request,
        ClaimsPrincipal principal, AppDbContext db, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        List<long>? muted = null;
        if (request.MutedCreators is { } names)
        {
            var normalized = names.Select(n => (n ?? "").Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
            if (normalized.Any(n => n.Length is 0 or > 30))
            {
                return ApiProblem.Validation("muted_creators", "The field muted_creators must list usernames.");
            }
            var found = await db.Users.AsNoTracking().Where(u => normalized.Contains(u.NormalizedUsername))
                .Select(u => new { u.Id, u.NormalizedUsername }).ToListAsync(ct);
            var unknown = normalized.Except(found.Select(f => f.NormalizedUsername), StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                return ApiProblem.Validation("muted_creators", $"Unknown usernames: {string.Join(", ", unknown)}.");
            }
            muted = found.Select(f => f.Id).Order().ToList();
        }
        var settings = await db.NotificationSettings.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        if (settings is null)
        {
            settings = new NotificationSettings { UserId = userId };
            db.NotificationSettings.Add(settings);
        }
        if (request.PushEnabled is { } enabled)
        {
            settings.PushEnabled = enabled;
        }
        if (request.QuietHours is { } quiet)
        {
            settings.QuietStart = TimeOnly.ParseExact(quiet.Start, "HH:mm", CultureInfo.InvariantCulture);
            settings.QuietEnd = TimeOnly.ParseExact(quiet.End, "HH:mm", CultureInfo.InvariantCulture);
        }
        if (request.TimeZone is { } zone)
        {
            settings.TimeZone = zone.Length == 0 ? null : zone;
        }
        if (muted is not null)
        {
            settings.MutedCreatorIds = muted;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A parallel first PUT created the row; this one loses and answers with the stored state.
            db.ChangeTracker.Clear();
            settings = await db.NotificationSettings.AsNoTracking().SingleAsync(s => s.UserId == userId, ct);
        }
        return TypedResults.Ok(await ToResponseAsync(db, settings, ct));
    }

    static async Task<NotificationSettingsResponse> ToResponseAsync(AppDbContext db, NotificationSettings settings, CancellationToken ct)
    {
        var ids = settings.MutedCreatorIds;
        var userZone = await db.Users.AsNoTracking().Where(u => u.Id == settings.UserId).Select(u => u.TimeZone).SingleAsync(ct);
        var names = ids.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).OrderBy(u => u.Username)
            .Select(u => u.Username).ToListAsync(ct);
        return new NotificationSettingsResponse(settings.PushEnabled,
            new QuietHoursResponse(settings.QuietStart.ToString("HH:mm", CultureInfo.InvariantCulture), settings.QuietEnd.ToString("HH:mm", CultureInfo.InvariantCulture)),
            settings.TimeZone, settings.TimeZone ?? userZone, names);
    }
}

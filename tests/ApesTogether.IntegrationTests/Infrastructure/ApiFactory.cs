using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ApesTogether.IntegrationTests.Infrastructure;

/// <summary>
/// The real service over HTTP, on its own database and a fake clock. Only what leaves the process is replaced.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly IReadOnlyDictionary<string, string?> _settings;
    Action<IServiceCollection>? _services;

    /// <summary>
    /// A factory of its own, for tests that move the clock or change settings. Pass a <see cref="TestDatabase.Shared"/>
    /// database to run several instances on one database, or a later life of this one after a restart.
    /// </summary>
    public static async Task<ApiFactory> StartAsync(DateTimeOffset start, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, TestDatabase? database = null)
    {
        var api = new ApiFactory(start, settings ?? new Dictionary<string, string?>(), database) { _services = services };
        await api.InitializeAsync();
        return api;
    }

    ApiFactory(DateTimeOffset start, IReadOnlyDictionary<string, string?> settings, TestDatabase? database = null)
    {
        Clock = new FakeTimeProvider(start);
        _settings = settings;
        _db = database ?? TestDatabase.Create();
        _db.Acquire();
    }

    /// <summary>Monday 2 March 2026, 10:00 New York (EST): the market is open.</summary>
    public static readonly DateTimeOffset MondayMorning = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    public const string AdminEmail = "admin@apes.test";
    public const string Password = "correct horse battery";

    readonly TestDatabase _db;

    public ApiFactory() : this(MondayMorning, new Dictionary<string, string?>()) { }

    public FakeTimeProvider Clock { get; }

    public DatabaseKind DatabaseKind => _db.Kind;

    public async ValueTask InitializeAsync()
    {
        await _db.EnsureCreatedAsync();
        // Build the host now, so migrations run before the first test and failures surface here.
        _ = Services;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", _db.Kind.ToString());
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("ConnectionStrings:Apes", _db.ConnectionString);
        builder.UseSetting("Auth:JwtSigningKey", "integration-tests-signing-key-0123456789abcdef");
        builder.UseSetting("Auth:AdminEmails:0", AdminEmail);
        // A cheaper hash keeps hundreds of sign-ups fast; production keeps the default.
        builder.UseSetting("Auth:PasswordHashIterations", "1000");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            _services?.Invoke(services);
        });
    }

    public HttpClient CreateAnonymousClient(bool handleCookies = false) =>
        CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = handleCookies, AllowAutoRedirect = false });

    /// <summary>Registers a fresh user and returns a client that sends its bearer token.</summary>
    public async Task<TestUser> RegisterAsync(string? email = null, string? username = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        username ??= "u" + suffix;
        email ??= $"{username}@apes.test";
        var client = CreateAnonymousClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email, password = Password, username }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;
        var access = (string)body["access_token"]!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new TestUser(client, (long)body["user"]!["id"]!, username, email, access, (string)body["refresh_token"]!);
    }

    /// <summary>The admin account (Auth:AdminEmails), registered on first use.</summary>
    public async Task<TestUser> AdminAsync()
    {
        var client = CreateAnonymousClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login",
            new { email = AdminEmail, password = Password }, TestContext.Current.CancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            return await RegisterAsync(email: AdminEmail, username: "admin_" + Guid.NewGuid().ToString("N")[..8]);
        }
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;
        var access = (string)body["access_token"]!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new TestUser(client, (long)body["user"]!["id"]!, (string)body["user"]!["username"]!, AdminEmail, access, (string)body["refresh_token"]!);
    }

    /// <summary>Logs the user in again after the test moved the clock past the access token's lifetime.</summary>
    public async Task ReauthenticateAsync(TestUser user)
    {
        var response = await CreateAnonymousClient().PostAsJsonAsync("/api/v1/auth/login",
            new { email = user.Email, password = Password }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;
        user.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)body["access_token"]!);
    }

    /// <summary>Moves the clock and keeps the user signed in.</summary>
    public async Task MoveClockAsync(DateTimeOffset to, params TestUser[] users)
    {
        Clock.SetUtcNow(to);
        foreach (var user in users)
        {
            await ReauthenticateAsync(user);
        }
    }

    /// <summary>Rebuilds the user's holdings and cash from the ledger and asserts they equal the stored state.</summary>
    public async Task AssertNoLedgerDriftAsync(long userId)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<Api.Features.Trades.LedgerReconciler>()
            .ReconcileUserAsync(userId, repair: false, TestContext.Current.CancellationToken);
        Assert.False(result.HasDrift, $"Ledger drift for user {userId}: cash {result.Cash}, holdings {string.Join("; ", result.Holdings)}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.ReleaseAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed record TestUser(HttpClient Client, long Id, string Username, string Email, string AccessToken, string RefreshToken);

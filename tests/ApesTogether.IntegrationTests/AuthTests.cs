using System.Net;
using System.Net.Http.Headers;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests;

public sealed class AuthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Register_returns_the_user_and_a_token_pair()
    {
        var client = api.CreateAnonymousClient();

        var response = await client.PostJsonAsync("/api/v1/auth/register", new
        {
            email = "Ada@Example.com", password = "long enough", username = "ada_l", display_name = "Ada", time_zone = "Europe/London",
        });

        var body = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("ada_l", (string?)body["user"]!["username"]);
        Assert.Equal("Ada", (string?)body["user"]!["display_name"]);
        Assert.Equal("Europe/London", (string?)body["user"]!["time_zone"]);
        Assert.False((bool)body["user"]!["is_admin"]!);
        Assert.Equal("Bearer", (string?)body["token_type"]);
        Assert.Equal(900, (int)body["expires_in"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["access_token"]));
        Assert.False(string.IsNullOrEmpty((string?)body["refresh_token"]));
    }

    [Fact]
    public async Task Registering_a_taken_email_in_other_case_returns_409_email_taken()
    {
        var existing = await api.RegisterAsync();

        var response = await api.CreateAnonymousClient().PostJsonAsync("/api/v1/auth/register",
            new { email = existing.Email.ToUpperInvariant(), password = "long enough", username = "other_" + existing.Username[..8] });

        await response.ReadProblemAsync(HttpStatusCode.Conflict, "email_taken");
    }

    [Fact]
    public async Task Registering_a_taken_username_in_other_case_returns_409_username_taken()
    {
        var existing = await api.RegisterAsync();

        var response = await api.CreateAnonymousClient().PostJsonAsync("/api/v1/auth/register",
            new { email = "fresh_" + existing.Email, password = "long enough", username = existing.Username.ToUpperInvariant() });

        await response.ReadProblemAsync(HttpStatusCode.Conflict, "username_taken");
    }

    [Fact]
    public async Task Login_returns_tokens_and_sets_an_http_only_lax_cookie()
    {
        var user = await api.RegisterAsync();

        var response = await api.CreateAnonymousClient().PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = ApiFactory.Password });

        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(user.Id, (long)body["user"]!["id"]!);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("apes_access=" + (string)body["access_token"]!, cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        var user = await api.RegisterAsync();
        var client = api.CreateAnonymousClient();

        var wrongPassword = await (await client.PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "not the password" }))
            .ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknownEmail = await (await client.PostJsonAsync("/api/v1/auth/login", new { email = "nobody@apes.test", password = "not the password" }))
            .ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        Assert.Equal((string?)wrongPassword["title"], (string?)unknownEmail["title"]);
        Assert.Equal((string?)wrongPassword["detail"], (string?)unknownEmail["detail"]);
    }

    [Fact]
    public async Task Me_answers_with_the_bearer_token_and_401_without_one()
    {
        var user = await api.RegisterAsync();

        var me = await (await user.Client.Get("/api/v1/me")).ReadJsonAsync(HttpStatusCode.OK);
        var anonymous = await api.CreateAnonymousClient().Get("/api/v1/me");

        Assert.Equal(user.Username, (string?)me["username"]);
        Assert.Equal(user.Email, (string?)me["email"]);
        Assert.False((bool)me["is_agent"]!);
        Assert.EndsWith("Z", (string)me["created_at"]!);
        await anonymous.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_login_cookie_alone_authenticates_and_a_bearer_header_wins_over_it()
    {
        var user = await api.RegisterAsync();
        var cookieClient = api.CreateAnonymousClient(handleCookies: true);
        (await cookieClient.PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = ApiFactory.Password })).EnsureSuccessStatusCode();

        var withCookie = await cookieClient.Get("/api/v1/me");
        cookieClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        var withBadBearer = await cookieClient.Get("/api/v1/me");

        Assert.Equal(user.Username, (string?)(await withCookie.ReadJsonAsync(HttpStatusCode.OK))["username"]);
        await withBadBearer.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Refresh_rotates_the_token_and_the_old_one_stops_working()
    {
        var user = await api.RegisterAsync();
        var client = api.CreateAnonymousClient();

        var first = await (await client.PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = user.RefreshToken })).ReadJsonAsync(HttpStatusCode.OK);
        var replay = await client.PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = user.RefreshToken });

        Assert.NotEqual(user.RefreshToken, (string?)first["refresh_token"]);
        await replay.ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_revokes_the_whole_family()
    {
        var user = await api.RegisterAsync();
        var client = api.CreateAnonymousClient();
        var rotated = await (await client.PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = user.RefreshToken })).ReadJsonAsync(HttpStatusCode.OK);

        await (await client.PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = user.RefreshToken }))
            .ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        var successor = await client.PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = (string)rotated["refresh_token"]! });

        await successor.ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Concurrent_refreshes_with_one_token_let_at_most_one_through()
    {
        var user = await api.RegisterAsync();
        var client = api.CreateAnonymousClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            client.PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = user.RefreshToken })));

        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.OK) <= 1);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, r.StatusCode.ToString()));
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token()
    {
        var user = await api.RegisterAsync();
        var client = api.CreateAnonymousClient();

        var logout = await client.PostJsonAsync("/api/v1/auth/logout", new { refresh_token = user.RefreshToken });
        var refresh = await client.PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = user.RefreshToken });

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await refresh.ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Accounts_listed_in_admin_emails_are_admins()
    {
        var admin = await api.RegisterAsync(email: ApiFactory.AdminEmail.ToUpperInvariant());

        var me = await (await admin.Client.Get("/api/v1/me")).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True((bool)me["is_admin"]!);
    }

    [Fact]
    public async Task Unknown_time_zone_and_bad_username_are_validation_errors_per_field()
    {
        var response = await api.CreateAnonymousClient().PostJsonAsync("/api/v1/auth/register",
            new { email = "tz@apes.test", password = "long enough", username = "no spaces!", time_zone = "Mars/Olympus_Mons" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("username"));
        Assert.True(errors.ContainsKey("time_zone"));
    }
}

/// <summary>Token lifetimes follow the injected clock, so each test here owns its clock.</summary>
public sealed class AccessTokenLifetimeTests
{
    [Fact]
    public async Task An_access_token_expires_after_fifteen_minutes_of_the_service_clock()
    {
        await using var api = await ApiFactory.StartAsync(ApiFactory.MondayMorning);
        var user = await api.RegisterAsync();

        api.Clock.Advance(TimeSpan.FromMinutes(14));
        var fresh = await user.Client.Get("/api/v1/me");
        api.Clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await user.Client.Get("/api/v1/me");

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        await expired.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}

using System.Globalization;
using System.Security.Claims;
using ApesTogether.Api.Data;
using ApesTogether.Api.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApesTogether.Api.Features.Auth;

public static class AuthSetup
{
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => SigningKey.Resolve(
            sp.GetRequiredService<IOptions<AuthOptions>>().Value, sp.GetRequiredService<IHostEnvironment>()));
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddScoped<AuthService>();
        builder.Services.AddSingleton<IPasswordHasher<User>>(sp => new PasswordHasher<User>(Options.Create(
            new PasswordHasherOptions { IterationCount = sp.GetRequiredService<IOptions<AuthOptions>>().Value.PasswordHashIterations })));

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKey, TimeProvider>((o, key, clock) =>
            {
                o.MapInboundClaims = false;
                o.TimeProvider = clock;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = AuthOptions.Issuer,
                    ValidAudience = AuthOptions.Audience,
                    IssuerSigningKey = key.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = "username",
                    RoleClaimType = "role",
                    ClockSkew = TimeSpan.FromSeconds(30),
                    // Lifetimes are judged by the injected clock, like everything else time-dependent.
                    LifetimeValidator = (notBefore, expires, _, p) =>
                    {
                        var now = clock.GetUtcNow().UtcDateTime;
                        return (notBefore is null || notBefore.Value - p.ClockSkew <= now) &&
                               expires is not null && now < expires.Value + p.ClockSkew;
                    },
                };
                o.Events = new JwtBearerEvents
                {
                    // Cookie clients work without the header; a bearer header wins when both are sent.
                    OnMessageReceived = context =>
                    {
                        if (!context.Request.Headers.Authorization.Any() &&
                            context.Request.Cookies.TryGetValue(AuthOptions.AccessCookieName, out var cookie))
                        {
                            context.Token = cookie;
                        }
                        return Task.CompletedTask;
                    },
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthOptions.AdminPolicy, p => p.RequireRole(AuthOptions.AdminRole));
        return builder;
    }

    public static long GetUserId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub)
            ?? throw new InvalidOperationException("No subject claim on an authenticated principal."), CultureInfo.InvariantCulture);

    public static long? TryGetUserId(this ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true ? principal.GetUserId() : null;
}

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Auth");
        auth.MapPost("/register", Register);
        auth.MapPost("/login", Login);
        auth.MapPost("/refresh", Refresh);
        auth.MapPost("/logout", Logout);
        app.MapGet("/api/v1/me", Me).WithTags("Auth").RequireAuthorization();
        return app;
    }

    static async Task<Results<Created<AuthResponse>, ProblemHttpResult>> Register(
        RegisterRequest request, AuthService auth, HttpContext http, IOptions<AuthOptions> options, CancellationToken ct)
    {
        var (result, error) = await auth.RegisterAsync(request, ct);
        return error switch
        {
            RegisterError.EmailTaken => ApiProblem.Conflict(ErrorCodes.EmailTaken, "Email already registered",
                "An account with this email already exists."),
            RegisterError.UsernameTaken => ApiProblem.Conflict(ErrorCodes.UsernameTaken, "Username taken",
                $"The username '{request.Username.Trim()}' is taken."),
            _ => TypedResults.Created("/api/v1/me", Respond(result!, http, options.Value)),
        };
    }

    static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> Login(
        LoginRequest request, AuthService auth, HttpContext http, IOptions<AuthOptions> options, CancellationToken ct)
    {
        var result = await auth.LoginAsync(request, ct);
        return result is null
            ? ApiProblem.Of(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials, "Invalid credentials",
                "The email or password is incorrect.")
            : TypedResults.Ok(Respond(result, http, options.Value));
    }

    static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> Refresh(
        RefreshRequest request, AuthService auth, HttpContext http, IOptions<AuthOptions> options, CancellationToken ct)
    {
        var result = await auth.RefreshAsync(request.RefreshToken, ct);
        return result is null
            ? ApiProblem.Of(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidRefreshToken, "Invalid refresh token",
                "The refresh token is unknown, expired or already used.")
            : TypedResults.Ok(Respond(result, http, options.Value));
    }

    static async Task<NoContent> Logout(RefreshRequest request, AuthService auth, HttpContext http, CancellationToken ct)
    {
        await auth.LogoutAsync(request.RefreshToken, ct);
        http.Response.Cookies.Delete(AuthOptions.AccessCookieName);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Me(
        ClaimsPrincipal principal, AppDbContext db, IOptions<AuthOptions> options, CancellationToken ct)
    {
        var id = principal.GetUserId();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        return user is null
            ? ApiProblem.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "Unknown account", "The account no longer exists.")
            : TypedResults.Ok(ToResponse(user, options.Value));
    }

    internal static UserResponse ToResponse(User u, AuthOptions options) =>
        new(u.Id, u.Username, u.Email, u.DisplayName, u.TimeZone, u.IsAgent, options.IsAdmin(u.Email), u.CreatedAt);

    static AuthResponse Respond(AuthResult result, HttpContext http, AuthOptions options)
    {
        http.Response.Cookies.Append(AuthOptions.AccessCookieName, result.AccessToken, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromSeconds(result.ExpiresIn),
        });
        return new AuthResponse(ToResponse(result.User, options), result.AccessToken, result.RefreshToken, "Bearer", result.ExpiresIn);
    }
}

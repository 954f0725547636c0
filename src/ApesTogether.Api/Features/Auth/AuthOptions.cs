using System.ComponentModel.DataAnnotations;
using ApesTogether.Api.Infrastructure;

namespace ApesTogether.Api.Features.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const string Issuer = "apes-together";
    public const string Audience = "apes-together-app";
    public const string AccessCookieName = "apes_access";
    public const string AdminRole = "admin";
    public const string AdminPolicy = "admin";

    /// <summary>HMAC-SHA256 key for access tokens, at least 32 bytes. From the environment, never the repository.</summary>
    public string? JwtSigningKey { get; set; }

    public List<string> AdminEmails { get; set; } = [];

    [TimeSpanRange("00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [TimeSpanRange("01:00:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>PBKDF2 iterations of the password hash; the default is the framework's (100,000 × HMAC-SHA512).</summary>
    [Range(1_000, 10_000_000)]
    public int PasswordHashIterations { get; set; } = 100_000;

    public bool IsAdmin(string email) =>
        AdminEmails.Any(a => string.Equals(a.Trim(), email, StringComparison.OrdinalIgnoreCase));
}

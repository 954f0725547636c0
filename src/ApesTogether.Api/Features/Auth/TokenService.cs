using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApesTogether.Api.Features.Auth;

/// <summary>The HMAC key for access tokens: from configuration, or in development a key generated once and kept on disk.</summary>
public sealed class SigningKey(SymmetricSecurityKey key)
{
    public SymmetricSecurityKey Key { get; } = key;

    public static SigningKey Resolve(AuthOptions options, IHostEnvironment environment)
    {
        if (!string.IsNullOrEmpty(options.JwtSigningKey))
        {
            var bytes = Encoding.UTF8.GetBytes(options.JwtSigningKey);
            if (bytes.Length < 32)
            {
                throw new InvalidOperationException("Auth:JwtSigningKey must be at least 32 bytes.");
            }
            return new SigningKey(new SymmetricSecurityKey(bytes));
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException("Auth:JwtSigningKey is required outside Development (set Auth__JwtSigningKey).");
        }
        var path = Path.Combine(environment.ContentRootPath, ".apes-dev", "jwt-signing-key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        }
        return new SigningKey(new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(path).Trim())));
    }
}

public sealed record IssuedAccessToken(string Token, int ExpiresInSeconds);

public sealed class TokenService(SigningKey signingKey, IOptions<AuthOptions> options, TimeProvider clock)
{
    readonly JsonWebTokenHandler _handler = new();

    public IssuedAccessToken CreateAccessToken(User user)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lifetime = options.Value.AccessTokenLifetime;
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("username", user.Username),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        };
        if (options.Value.IsAdmin(user.Email))
        {
            claims.Add(new Claim("role", AuthOptions.AdminRole));
        }
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.Issuer,
            Audience = AuthOptions.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });
        return new IssuedAccessToken(token, (int)lifetime.TotalSeconds);
    }

    /// <summary>A new opaque refresh token; only its hash is stored.</summary>
    public static string NewRefreshToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string refreshToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));
}

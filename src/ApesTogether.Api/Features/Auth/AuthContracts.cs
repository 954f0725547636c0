using System.ComponentModel.DataAnnotations;
using ApesTogether.Api.Infrastructure;

namespace ApesTogether.Api.Features.Auth;

public sealed class RegisterRequest
{
    [Required, EmailAddress, StringLength(254)]
    public string Email { get; init; } = "";

    [Required, StringLength(128, MinimumLength = 8)]
    public string Password { get; init; } = "";

    [Required, RegularExpression("^[A-Za-z0-9_]{3,30}$", ErrorMessage = "The field username must be 3–30 letters, digits or underscores.")]
    public string Username { get; init; } = "";

    [StringLength(60), PlainText]
    public string? DisplayName { get; init; }

    [IanaTimeZone]
    public string? TimeZone { get; init; }
}

public sealed class LoginRequest
{
    [Required, StringLength(254)]
    public string Email { get; init; } = "";

    [Required, StringLength(128)]
    public string Password { get; init; } = "";
}

public sealed class RefreshRequest
{
    [Required, StringLength(200)]
    public string RefreshToken { get; init; } = "";
}

public sealed record UserResponse(long Id, string Username, string Email, string? DisplayName, string TimeZone,
    bool IsAgent, bool IsAdmin, DateTime CreatedAt);

public sealed record AuthResponse(UserResponse User, string AccessToken, string RefreshToken, string TokenType, int ExpiresIn);

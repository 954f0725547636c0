using ApesTogether.Api.Data;
using ApesTogether.Api.Features.Trades;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Auth;

public sealed record AuthResult(User User, string AccessToken, string RefreshToken, int ExpiresIn);

public enum RegisterError { None, EmailTaken, UsernameTaken }

public sealed class AuthService(AppDbContext db, TokenService tokens, IPasswordHasher<User> hasher,
    IOptions<AuthOptions> options, TimeProvider clock, ILogger<AuthService> logger)
{
    // Verified against when the email is unknown, so both failures cost the same time.
    static string? s_dummyHash;

    // PBKDF2 costs tens of milliseconds of CPU on purpose. A login storm (1,000 users logging in within seconds) used to run
    // every hash at once: the thread pool starved, requests holding database connections could not finish, the pool ran dry
    // and logins and reads failed with 500s. Half the cores at most hash at a time; the rest queue here, asynchronously.
    static readonly SemaphoreSlim s_hashing = new(Math.Max(1, Environment.ProcessorCount / 2));

    static async Task<T> HashingAsync<T>(Func<T> work, CancellationToken ct)
    {
        await s_hashing.WaitAsync(ct);
        try
        {
            return work();
        }
        finally
        {
            s_hashing.Release();
        }
    }

    public async Task<(AuthResult? Result, RegisterError Error)> RegisterAsync(RegisterRequest request, CancellationToken ct)
    {
        var email = request.Email.Trim();
        var normalizedEmail = email.ToLowerInvariant();
        var username = request.Username.Trim();
        var normalizedUsername = username.ToLowerInvariant();

        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalizedEmail, ct))
        {
            return (null, RegisterError.EmailTaken);
        }
        if (await db.Users.AnyAsync(u => u.NormalizedUsername == normalizedUsername, ct))
        {
            return (null, RegisterError.UsernameTaken);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var user = new User
        {
            Email = email,
            NormalizedEmail = normalizedEmail,
            Username = username,
            NormalizedUsername = normalizedUsername,
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim(),
            TimeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? "America/New_York" : request.TimeZone.Trim(),
            PasswordHash = "",
            CreatedAt = now,
        };
        user.PasswordHash = await HashingAsync(() => hasher.HashPassword(user, request.Password), ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex)
        {
            // Two sign-ups raced for the same email or username; the unique index decided.
            logger.LogInformation(ex, "Registration lost a uniqueness race for {Username}", username);
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var emailTaken = await db.Users.AnyAsync(u => u.NormalizedEmail == normalizedEmail, ct);
            return (null, emailTaken ? RegisterError.EmailTaken : RegisterError.UsernameTaken);
        }
        db.CashAccounts.Add(new CashAccount { UserId = user.Id, UpdatedAt = now });
        var result = IssueTokens(user, Guid.NewGuid());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (result, RegisterError.None);
    }

    public async Task<AuthResult?> LoginAsync(LoginRequest request, CancellationToken ct)
    {
        var normalizedEmail = request.Email.Trim().ToLowerInvariant();
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, ct);
        if (user is null)
        {
            s_dummyHash ??= await HashingAsync(() => hasher.HashPassword(null!, Guid.NewGuid().ToString()), ct);
            await HashingAsync(() => hasher.VerifyHashedPassword(null!, s_dummyHash, request.Password), ct);
            return null;
        }
        var verdict = await HashingAsync(() => hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password), ct);
        if (verdict == PasswordVerificationResult.Failed)
        {
            return null;
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = await HashingAsync(() => hasher.HashPassword(user, request.Password), ct);
        }
        var result = IssueTokens(user, Guid.NewGuid());
        await db.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>
    /// Rotates a refresh token. The old token is claimed with a conditional update, so of two concurrent
    /// refreshes with one token only one succeeds; presenting an already-rotated token revokes its family.
    /// </summary>
    public async Task<AuthResult?> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        var hash = TokenService.Hash(refreshToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is null)
        {
            return null;
        }
        if (token.RevokedAt is not null)
        {
            if (token.RevokedReason == "rotated")
            {
                logger.LogWarning("Refresh token reuse for user {UserId}; revoking family {FamilyId}", token.UserId, token.FamilyId);
                await RevokeFamilyAsync(token.UserId, token.FamilyId, "reuse_detected", now, ct);
            }
            return null;
        }
        if (token.ExpiresAt <= now)
        {
            return null;
        }

        var claimed = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.RevokedReason, "rotated"), ct);
        if (claimed == 0)
        {
            // Someone rotated it a moment ago: that is reuse too.
            await RevokeFamilyAsync(token.UserId, token.FamilyId, "reuse_detected", now, ct);
            return null;
        }
        var user = await db.Users.SingleAsync(u => u.Id == token.UserId, ct);
        var result = IssueTokens(user, token.FamilyId);
        await db.SaveChangesAsync(ct);
        return result;
    }

    public async Task LogoutAsync(string refreshToken, CancellationToken ct)
    {
        var hash = TokenService.Hash(refreshToken);
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is not null)
        {
            await RevokeFamilyAsync(token.UserId, token.FamilyId, "logout", clock.GetUtcNow().UtcDateTime, ct);
        }
    }

    Task<int> RevokeFamilyAsync(long userId, Guid familyId, string reason, DateTime now, CancellationToken ct) =>
        db.RefreshTokens
            .Where(t => t.UserId == userId && t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.RevokedReason, reason), ct);

    AuthResult IssueTokens(User user, Guid familyId)
    {
        var access = tokens.CreateAccessToken(user);
        var refresh = TokenService.NewRefreshToken();
        var now = clock.GetUtcNow().UtcDateTime;
        db.RefreshTokens.Add(new RefreshToken
        {
            UserId = user.Id,
            TokenHash = TokenService.Hash(refresh),
            FamilyId = familyId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
        return new AuthResult(user, access.Token, refresh, access.ExpiresInSeconds);
    }
}

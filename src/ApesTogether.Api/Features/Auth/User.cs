using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApesTogether.Api.Features.Auth;

/// <summary>
/// An account. Ids are plain integers so that a sharded deployment can allocate them per shard
/// (<c>id % N</c>); user-owned rows reference the id without crossing users.
/// </summary>
public sealed class User
{
    public long Id { get; set; }
    public required string Email { get; set; }
    /// <summary>Lower-cased email; uniqueness and login go through it.</summary>
    public required string NormalizedEmail { get; set; }
    public required string Username { get; set; }
    public required string NormalizedUsername { get; set; }
    public string? DisplayName { get; set; }
    public required string TimeZone { get; set; }
    public required string PasswordHash { get; set; }
    public bool IsAgent { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Set when the account is deleted or banned; such users leave leaderboards and snapshots.</summary>
    public DateTime? DeactivatedAt { get; set; }
}

sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.ToTable("users");
        b.Property(u => u.Email).HasMaxLength(254);
        b.Property(u => u.NormalizedEmail).HasMaxLength(254);
        b.Property(u => u.Username).HasMaxLength(30);
        b.Property(u => u.NormalizedUsername).HasMaxLength(30);
        b.Property(u => u.DisplayName).HasMaxLength(60);
        b.Property(u => u.TimeZone).HasMaxLength(64);
        b.Property(u => u.PasswordHash).HasMaxLength(200);
        b.HasIndex(u => u.NormalizedEmail).IsUnique();
        b.HasIndex(u => u.NormalizedUsername).IsUnique();
    }
}

/// <summary>
/// A refresh token, stored only as its SHA-256 hash. Tokens descending from one login share a family;
/// presenting a token that was already rotated revokes the whole family.
/// </summary>
public sealed class RefreshToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string TokenHash { get; set; }
    public Guid FamilyId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
}

sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> b)
    {
        b.ToTable("refresh_tokens");
        b.Property(t => t.TokenHash).HasMaxLength(64);
        b.Property(t => t.RevokedReason).HasMaxLength(40);
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.HasIndex(t => new { t.UserId, t.FamilyId });
        b.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

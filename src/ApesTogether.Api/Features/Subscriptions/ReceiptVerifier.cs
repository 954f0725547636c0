namespace ApesTogether.Api.Features.Subscriptions;

/// <summary>
/// The seam to the stores (App Store, Play, web checkout): whether a purchase receipt is genuine and paid. A real
/// verifier replaces <see cref="SandboxReceiptVerifier"/> in DI.
/// </summary>
public interface IReceiptVerifier
{
    Task<bool> VerifyAsync(string? platform, string receipt, CancellationToken ct);
}

/// <summary>The default: accepts receipts that start with <c>sandbox-</c>, rejects everything else.</summary>
public sealed class SandboxReceiptVerifier : IReceiptVerifier
{
    public const string Prefix = "sandbox-";

    public Task<bool> VerifyAsync(string? platform, string receipt, CancellationToken ct) =>
        Task.FromResult(receipt.StartsWith(Prefix, StringComparison.Ordinal) && receipt.Length > Prefix.Length);
}

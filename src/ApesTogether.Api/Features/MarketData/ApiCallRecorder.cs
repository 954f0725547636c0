using ApesTogether.Api.Data;
using ApesTogether.Api.Infrastructure;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// Writes one <see cref="ApiCallLog"/> row per outbound vendor call, in its own scope and transaction, so a log row
/// is never lost with a caller's rollback and never holds up the caller's unit of work.
/// </summary>
public sealed class ApiCallRecorder(IServiceScopeFactory scopes, TimeProvider clock, ApesMetrics metrics, ILogger<ApiCallRecorder> logger)
{
    /// <summary>Makes one vendor call and records it as ok, throttled or error (vendor exceptions are rethrown).</summary>
    public async Task<T> CallAsync<T>(string provider, string function, int symbolCount, int? keyIndex, Func<Task<T>> call)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var result = await call();
            await RecordAsync(provider, function, symbolCount, keyIndex, "ok", watch.Elapsed);
            return result;
        }
        catch (Vendors.VendorException ex)
        {
            await RecordAsync(provider, function, symbolCount, keyIndex, ex is Vendors.VendorThrottledException ? "throttled" : "error", watch.Elapsed);
            throw;
        }
    }

    public async Task RecordAsync(string provider, string function, int symbolCount, int? keyIndex, string status, TimeSpan latency)
    {
        metrics.VendorCalls.Add(1, new("provider", provider), new("status", status));
        logger.LogInformation("Vendor call {Provider} {Function} symbols={Symbols} key={KeyIndex} status={Status} latency={LatencyMs}ms",
            provider, function, symbolCount, keyIndex, status, (int)latency.TotalMilliseconds);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.ApiCallLogs.Add(new ApiCallLog
            {
                At = clock.GetUtcNow().UtcDateTime,
                Provider = provider,
                Function = function,
                SymbolCount = symbolCount,
                KeyIndex = keyIndex,
                Status = status,
                LatencyMs = (int)Math.Min(int.MaxValue, latency.TotalMilliseconds),
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The call itself happened; losing its log row must not fail the quote.
            logger.LogWarning(ex, "Could not record a vendor call log row");
        }
    }
}

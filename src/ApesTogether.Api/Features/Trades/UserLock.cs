using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Trades;

public static class UserLock
{
    /// <summary>
    /// Runs work in a transaction holding the user's write lock: the version bump of the cash row locks the row on
    /// PostgreSQL and takes the database write lock on SQLite, before anything is read. Every writer of a user's
    /// holdings, cash or ledger goes through here.
    /// </summary>
    public static async Task<T> InUserTransactionAsync<T>(this AppDbContext db, long userId, Func<Task<T>> work, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var locked = await db.CashAccounts.Where(c => c.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Version, c => c.Version + 1), ct);
            if (locked == 0)
            {
                throw new InvalidOperationException($"User {userId} has no cash account.");
            }
            var result = await work();
            await tx.CommitAsync(ct);
            return result;
        });
    }
}

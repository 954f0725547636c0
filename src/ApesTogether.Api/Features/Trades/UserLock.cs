using ApesTogether.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Features.Trades;

public static class UserLock
{
    /// <summary>
    /// Runs work in a transaction holding the user's write lock: the version bump of the cash row locks the row on
    /// PostgreSQL and takes the database write lock on SQLite, before anything is read. Every writer of a user's
    /// holdings, cash or ledger goes through here, and so drops the user's cached positions once the transaction has
    /// ended, committed or not.
    /// </summary>
    public static async Task<T> InUserTransactionAsync<T>(this AppDbContext db, PositionsCache positions, long userId, Func<Task<T>> work, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        // A failed SaveChanges ends the whole transaction here (nothing catches it inside), so the savepoint EF would
        // set around every SaveChanges buys nothing and costs two round trips each.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
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
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
            positions.Invalidate(userId);
        }
    }
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ApesTogether.Api.Data;

/// <summary>Counts the database connections this process holds open right now (checked out of the pool).</summary>
public sealed class ConnectionCounter : DbConnectionInterceptor
{
    int _open;
    long _opened;

    public int Open => Volatile.Read(ref _open);
    public long OpenedTotal => Interlocked.Read(ref _opened);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Opened();

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Opened();
        return Task.CompletedTask;
    }

    public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Interlocked.Decrement(ref _open);

    public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Interlocked.Decrement(ref _open);
        return Task.CompletedTask;
    }

    void Opened()
    {
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref _opened);
    }
}

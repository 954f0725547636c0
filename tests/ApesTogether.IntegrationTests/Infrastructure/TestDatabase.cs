using Npgsql;

namespace ApesTogether.IntegrationTests.Infrastructure;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// One throwaway database per API factory. The provider comes from APES_TEST_DB (Sqlite by default); PostgreSQL
/// uses the server the test script started (APES_TEST_POSTGRES, an admin connection string). A missing server
/// fails the test: it never skips.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    TestDatabase(DatabaseKind kind, string connectionString, string? adminConnectionString, string name)
    {
        Kind = kind;
        ConnectionString = connectionString;
        _adminConnectionString = adminConnectionString;
        _name = name;
    }

    readonly string? _adminConnectionString;
    readonly string _name;

    public DatabaseKind Kind { get; }
    public string ConnectionString { get; }

    public static DatabaseKind ConfiguredKind =>
        Enum.TryParse<DatabaseKind>(Environment.GetEnvironmentVariable("APES_TEST_DB"), ignoreCase: true, out var kind)
            ? kind
            : DatabaseKind.Sqlite;

    public static TestDatabase Create()
    {
        var name = "apes_test_" + Guid.NewGuid().ToString("N")[..16];
        if (ConfiguredKind == DatabaseKind.Sqlite)
        {
            var path = Path.Combine(Path.GetTempPath(), "apes-tests", name + ".db");
            return new TestDatabase(DatabaseKind.Sqlite, $"Data Source={path}", null, name);
        }
        var admin = Environment.GetEnvironmentVariable("APES_TEST_POSTGRES")
            ?? throw new InvalidOperationException("APES_TEST_DB=Postgres needs APES_TEST_POSTGRES (run the tests through ./test.sh).");
        var csb = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(DatabaseKind.Postgres, csb.ConnectionString, admin, name);
    }

    int _users;
    bool _created;

    /// <summary>
    /// A database that outlives the factories using it, for restarts and several instances: dispose it after them (the last
    /// of the holders to let go drops it).
    /// </summary>
    public static TestDatabase Shared()
    {
        var database = Create();
        database.Acquire();
        return database;
    }

    public ValueTask DisposeAsync() => new(ReleaseAsync());

    /// <summary>One more factory uses this database; it is dropped when the last one releases it.</summary>
    public void Acquire() => Interlocked.Increment(ref _users);

    public async Task ReleaseAsync()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            await DropAsync();
        }
    }

    /// <summary>Creates the database on the first call only (factories sharing it call it each).</summary>
    public async Task EnsureCreatedAsync()
    {
        if (_created)
        {
            return;
        }
        _created = true;
        await CreateAsync();
    }

    public async Task CreateAsync()
    {
        if (Kind == DatabaseKind.Postgres)
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task DropAsync()
    {
        if (Kind == DatabaseKind.Sqlite)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource;
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

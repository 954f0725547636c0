using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace ApesTogether.Api.Data;

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the service starts. Null means: on for SQLite, off for PostgreSQL.</summary>
    public bool? MigrateOnStartup { get; set; }

    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    public bool ShouldMigrateOnStartup => MigrateOnStartup ?? Provider == DatabaseProvider.Sqlite;

    public PoolOptions Pool { get; set; } = new();
}

/// <summary>
/// Npgsql's connection pool. The defaults mirror the guide's SQLAlchemy settings: <c>pool_size 10</c> → MinSize 10
/// (kept open), <c>+ max_overflow 20</c> → MaxSize 30, <c>pool_timeout 30</c> → ConnectionTimeoutSeconds 30 (how long
/// an open waits for a free connection), <c>pool_recycle 1800</c> → ConnectionLifetimeSeconds 1800. Connections above
/// MinSize close after IdleLifetimeSeconds (SQLAlchemy closes overflow at once).
/// </summary>
public sealed class PoolOptions
{
    [Range(0, 1000)] public int MinSize { get; set; } = 10;
    [Range(1, 1000)] public int MaxSize { get; set; } = 30;
    [Range(1, 600)] public int ConnectionTimeoutSeconds { get; set; } = 30;
    [Range(0, 86_400)] public int ConnectionLifetimeSeconds { get; set; } = 1800;
    [Range(1, 86_400)] public int IdleLifetimeSeconds { get; set; } = 300;
    /// <summary>
    /// Statements Npgsql prepares on each connection once they have run twice (0 turns it off). Our hot queries are a
    /// handful of fixed SQL texts, so preparing them saves PostgreSQL the parse and plan on every call.
    /// </summary>
    [Range(0, 256)] public int MaxAutoPrepare { get; set; } = 64;
}

public static class DatabaseSetup
{
    public const string DefaultSqliteConnectionString = "Data Source=apes.db";

    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString("Apes");

        builder.Services.AddSingleton<ConnectionCounter>();
        // Pooled contexts: a request rents a reset context instead of building one and its services (a measurable
        // share of a small request's CPU). The context holds no per-request state of its own, so pooling is safe.
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = PrepareSqlite(connectionString ?? DefaultSqliteConnectionString, options.CommandTimeoutSeconds);
                builder.Services.AddDbContextPool<SqliteAppDbContext>((sp, o) =>
                    ConfigureSqlite(o, sqlite).AddInterceptors(sp.GetRequiredService<ConnectionCounter>()));
                builder.Services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<SqliteAppDbContext>());
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Apes is not set.");
                }
                builder.Services.AddSingleton(_ => BuildDataSource(connectionString, options.Pool));
                builder.Services.AddDbContextPool<PostgresAppDbContext>((sp, o) =>
                    ConfigurePostgres(o, sp.GetRequiredService<NpgsqlDataSource>(), options.CommandTimeoutSeconds)
                        .AddInterceptors(sp.GetRequiredService<ConnectionCounter>()));
                builder.Services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<PostgresAppDbContext>());
                break;
            default:
                throw new InvalidOperationException($"Unknown Database:Provider '{options.Provider}'.");
        }
        return builder;
    }

    internal static string PrepareSqlite(string connectionString, int commandTimeoutSeconds)
    {
        // A busy writer makes others wait (Default Timeout) instead of failing with SQLITE_BUSY.
        var csb = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = commandTimeoutSeconds };
        var directory = Path.GetDirectoryName(Path.GetFullPath(csb.DataSource));
        if (!string.IsNullOrEmpty(directory) && csb.Mode != SqliteOpenMode.Memory)
        {
            Directory.CreateDirectory(directory);
        }
        return csb.ToString();
    }

    internal static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlite(connectionString, s => s.MigrationsHistoryTable("__ef_migrations_history"))
         .UseSnakeCaseNamingConvention();

    /// <summary>One data source (and so one pool) per process, sized by <see cref="PoolOptions"/>.</summary>
    public static NpgsqlDataSource BuildDataSource(string connectionString, PoolOptions pool)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MinPoolSize = Math.Min(pool.MinSize, pool.MaxSize),
            MaxPoolSize = pool.MaxSize,
            Timeout = pool.ConnectionTimeoutSeconds,
            ConnectionLifetime = pool.ConnectionLifetimeSeconds,
            ConnectionIdleLifetime = pool.IdleLifetimeSeconds,
            MaxAutoPrepare = pool.MaxAutoPrepare,
            AutoPrepareMinUsages = 2,
        };
        if (string.IsNullOrEmpty(csb.ApplicationName))
        {
            csb.ApplicationName = "apes-together";
        }
        return new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
    }

    internal static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder o, NpgsqlDataSource dataSource, int commandTimeoutSeconds) =>
        o.UseNpgsql(dataSource, n => n.MigrationsHistoryTable("__ef_migrations_history").CommandTimeout(commandTimeoutSeconds))
         .UseSnakeCaseNamingConvention();

    /// <summary>Applies pending migrations, and on SQLite switches the file to WAL so readers never wait for the writer.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
    }
}

/// <summary>Lets <c>dotnet ef</c> build the SQLite model without starting the host.</summary>
sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<SqliteAppDbContext>();
        DatabaseSetup.ConfigureSqlite(o, DatabaseSetup.DefaultSqliteConnectionString);
        return new SqliteAppDbContext(o.Options);
    }
}

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL model; no server is contacted to add a migration.</summary>
sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<PostgresAppDbContext>();
        DatabaseSetup.ConfigurePostgres(o, new NpgsqlDataSourceBuilder("Host=127.0.0.1;Database=apes_design").Build(), 30);
        return new PostgresAppDbContext(o.Options);
    }
}

namespace ApesTogether.Api.Infrastructure;

/// <summary>
/// Which parts of the one binary run in this process (<c>Roles</c> = <c>api</c>, <c>worker</c>, <c>scheduler</c>,
/// comma-separated; all three by default), so the same build can run as separate services.
/// </summary>
public sealed record HostRoles(bool Api, bool Worker, bool Scheduler)
{
    public static HostRoles From(IConfiguration configuration)
    {
        var raw = configuration["Roles"];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new HostRoles(true, true, true);
        }
        var roles = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => r.ToLowerInvariant()).ToHashSet();
        var unknown = roles.Except(["api", "worker", "scheduler"]).ToList();
        if (unknown.Count > 0 || roles.Count == 0)
        {
            throw new InvalidOperationException($"Roles must be a comma-separated subset of api, worker, scheduler; got '{raw}'.");
        }
        return new HostRoles(roles.Contains("api"), roles.Contains("worker"), roles.Contains("scheduler"));
    }

    public override string ToString() =>
        string.Join(",", new[] { Api ? "api" : null, Worker ? "worker" : null, Scheduler ? "scheduler" : null }.OfType<string>());
}

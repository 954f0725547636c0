using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ApesTogether.LoadTest;

public enum Grade { Pass, Warning, Fail, NotJudged }

/// <summary>One row of the report: an endpoint, or the aggregate of the scenario's tasks. Times in milliseconds.</summary>
public sealed record EndpointResult(
    string Method, string Name, long Requests, long Failures, double RequestsPerSecond, double FailuresPerSecond,
    double MinMs, double AverageMs, double MaxMs, double AverageContentSize,
    IReadOnlyDictionary<string, double> PercentilesMs, IReadOnlyDictionary<string, long> FailuresByCause)
{
    /// <summary>The percentiles of the report and of Locust's stats CSV.</summary>
    public static readonly double[] Levels = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100];

    [JsonIgnore] public int[] SortedMicros { get; init; } = [];
    [JsonIgnore] public long Bytes { get; init; }

    public double P50Ms => PercentilesMs["50"];
    public double P95Ms => PercentilesMs["95"];
    public double P99Ms => PercentilesMs["99"];
    public double ErrorRatePct => Requests == 0 ? 0 : Failures * 100.0 / Requests;

    public static string Key(double level) => level.ToString("0.##", CultureInfo.InvariantCulture);

    public static EndpointResult From(string method, string name, int[] sortedMicros, long bytes, IReadOnlyDictionary<string, long> failures, double seconds)
    {
        var n = sortedMicros.Length;
        var failed = failures.Values.Sum();
        var percentiles = Levels.ToDictionary(Key, l => Percentile(sortedMicros, l));
        return new EndpointResult(method, name, n, failed, seconds > 0 ? n / seconds : 0, seconds > 0 ? failed / seconds : 0,
            n == 0 ? 0 : sortedMicros[0] / 1000.0, n == 0 ? 0 : sortedMicros.Average(m => (double)m) / 1000.0,
            n == 0 ? 0 : sortedMicros[^1] / 1000.0, n == 0 ? 0 : (double)bytes / n, percentiles, failures)
        { SortedMicros = sortedMicros, Bytes = bytes };
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="level"/> % of the samples at or below it.</summary>
    public static double Percentile(int[] sorted, double level)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0)
            return 0;
        var rank = (int)Math.Ceiling(level / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)] / 1000.0;
    }
}

public sealed record VerdictLine(string Metric, string Value, string Pass, string Warning, string Fail, Grade Grade, string? Note);

public sealed record Verdict(IReadOnlyList<VerdictLine> Lines, Grade Overall);

public sealed record LoadReport(
    string Host, int Users, int PeakUsers, double SpawnRate, double DurationSeconds, string ThinkTime, bool SingleAccount, bool Steady,
    int LoadGeneratorCores, IReadOnlyList<EndpointResult> Endpoints, EndpointResult Aggregated, EndpointResult Login, Verdict Verdict)
{
    /// <summary>
    /// Aggregates the scenario's tasks (the login each user sends on start has its own row and stays out of the aggregate and the
    /// verdict: it measures the password hash, not the service under the scenario) and judges them against the guide's table.
    /// </summary>
    public static LoadReport Build(LoadTestOptions options, IReadOnlyList<EndpointResult> rows, TimeSpan window, int peakUsers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        var login = rows.Single(r => r.Name == LoadRunner.Login.Name);
        var tasks = rows.Where(r => r != login).ToList();
        var merged = tasks.SelectMany(r => r.SortedMicros).ToArray();
        Array.Sort(merged);
        var failures = tasks.SelectMany(r => r.FailuresByCause.Select(f => (Cause: $"{r.Method} {r.Name}: {f.Key}", f.Value)))
            .ToDictionary(f => f.Cause, f => f.Value, StringComparer.Ordinal);
        var aggregated = EndpointResult.From("", "Aggregated", merged, tasks.Sum(r => r.Bytes), failures, window.TotalSeconds);
        var think = options.NoThink ? "none" : string.Create(CultureInfo.InvariantCulture, $"{options.ThinkMinSeconds:0.##}–{options.ThinkMaxSeconds:0.##} s");
        return new LoadReport(options.Host.ToString(), options.Users, peakUsers, options.SpawnRate, window.TotalSeconds, think,
            options.SingleAccount, options.Steady, Environment.ProcessorCount, tasks, aggregated, login, Judge(options, aggregated));
    }

    /// <summary>The guide's table; a value between the warning and the fail bound counts as a warning.</summary>
    public static Verdict Judge(LoadTestOptions options, EndpointResult aggregated)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(aggregated);
        static Grade Lower(double v, double pass, double fail) => v < pass ? Grade.Pass : v > fail ? Grade.Fail : Grade.Warning;
        static Grade Higher(double v, double pass, double fail) => v > pass ? Grade.Pass : v < fail ? Grade.Fail : Grade.Warning;
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<VerdictLine>
        {
            new("P50 latency", string.Create(inv, $"{aggregated.P50Ms:0.0} ms"), "< 100 ms", "< 200 ms", "> 300 ms", Lower(aggregated.P50Ms, 100, 300), null),
            new("P95 latency", string.Create(inv, $"{aggregated.P95Ms:0.0} ms"), "< 300 ms", "< 500 ms", "> 800 ms", Lower(aggregated.P95Ms, 300, 800), null),
            new("Error rate", string.Create(inv, $"{aggregated.ErrorRatePct:0.###} %"), "< 0.1 %", "< 1 %", "> 2 %", Lower(aggregated.ErrorRatePct, 0.1, 2), null),
        };
        var rps = string.Create(inv, $"{aggregated.RequestsPerSecond:0.0} req/s");
        if (options.NoThink)
        {
            lines.Add(new("Throughput", rps, "> 500 RPS", "> 300 RPS", "< 200 RPS", Higher(aggregated.RequestsPerSecond, 500, 200), null));
        }
        else
        {
            var ceiling = options.Users / ((options.ThinkMinSeconds + options.ThinkMaxSeconds) / 2);
            lines.Add(new("Throughput", rps, "> 500 RPS", "> 300 RPS", "< 200 RPS", Grade.NotJudged, string.Create(inv,
                $"not judged with think time: {options.Users} users waiting {options.ThinkMinSeconds:0.##}–{options.ThinkMaxSeconds:0.##} s between tasks can send at most ≈ {ceiling:0} req/s whatever the server; throughput is judged on --no-think runs")));
        }
        var judged = lines.Where(l => l.Grade != Grade.NotJudged).Select(l => l.Grade).ToList();
        var overall = judged.Contains(Grade.Fail) ? Grade.Fail : judged.Contains(Grade.Warning) ? Grade.Warning : Grade.Pass;
        return new Verdict(lines, overall);
    }
}

/// <summary>The report as a console table, JSON, Markdown and Locust's <c>*_stats.csv</c>.</summary>
public static class ReportWriter
{
    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Table(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"{report.Host}  users {report.Users} (peak {report.PeakUsers})  think {report.ThinkTime}  window {report.DurationSeconds:0.0} s{(report.Steady ? " (after every login)" : "")}  load-generator cores {report.LoadGeneratorCores}");
        sb.AppendLine(Inv, $"{"Type",-5} {"Name",-40} {"reqs",8} {"fails",6} {"req/s",8} {"min",7} {"avg",7} {"max",8} {"p50",7} {"p95",7} {"p99",7}  (ms)");
        foreach (var r in report.Endpoints.Append(report.Aggregated).Append(report.Login))
        {
            sb.AppendLine(Inv, $"{r.Method,-5} {r.Name,-40} {r.Requests,8} {r.Failures,6} {r.RequestsPerSecond,8:0.0} {r.MinMs,7:0.0} {r.AverageMs,7:0.0} {r.MaxMs,8:0.0} {r.P50Ms,7:0.0} {r.P95Ms,7:0.0} {r.P99Ms,7:0.0}");
        }
        if (report.Aggregated.FailuresByCause.Count + report.Login.FailuresByCause.Count > 0)
        {
            sb.AppendLine("failures:");
            foreach (var (cause, count) in report.Aggregated.FailuresByCause.Concat(report.Login.FailuresByCause.Select(f => KeyValuePair.Create("login: " + f.Key, f.Value))))
                sb.AppendLine(Inv, $"  {count,8}  {cause}");
        }
        sb.AppendLine(Inv, $"verdict (scenario tasks; logins excluded): {report.Verdict.Overall.ToString().ToUpperInvariant()}");
        foreach (var l in report.Verdict.Lines)
            sb.AppendLine(Inv, $"  {l.Metric,-12} {l.Value,-16} {Label(l.Grade),-10} (pass {l.Pass}, warning {l.Warning}, fail {l.Fail}){(l.Note is null ? "" : "  " + l.Note)}");
        return sb.ToString();
    }

    public static string Markdown(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine("# Load test report").AppendLine();
        sb.AppendLine(Inv, $"Host {report.Host}, {report.Users} users (peak {report.PeakUsers}), spawn rate {report.SpawnRate}/s, think time {report.ThinkTime}, ");
        sb.AppendLine(Inv, $"measured window {report.DurationSeconds:0.0} s{(report.Steady ? " (opened once every user had logged in)" : " (from the first spawn, as Locust)")}, ");
        sb.AppendLine(Inv, $"{(report.SingleAccount ? "one shared account" : "one seeded account per user")}, load generator on {report.LoadGeneratorCores} cores.").AppendLine();
        sb.AppendLine("| Type | Name | Requests | Failures | Req/s | Min | Avg | Max | P50 | P95 | P99 |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in report.Endpoints.Append(report.Aggregated).Append(report.Login))
            sb.AppendLine(Inv, $"| {r.Method} | `{r.Name}` | {r.Requests} | {r.Failures} | {r.RequestsPerSecond:0.0} | {r.MinMs:0.0} | {r.AverageMs:0.0} | {r.MaxMs:0.0} | {r.P50Ms:0.0} | {r.P95Ms:0.0} | {r.P99Ms:0.0} |");
        sb.AppendLine().AppendLine("Times in milliseconds. The aggregate and the verdict cover the scenario's tasks; the login each user sends on start has its own row.").AppendLine();
        sb.AppendLine(Inv, $"## Verdict: {Label(report.Verdict.Overall)}").AppendLine();
        sb.AppendLine("| Metric | Measured | Pass | Warning | Fail | Result |");
        sb.AppendLine("|---|---:|---|---|---|---|");
        foreach (var l in report.Verdict.Lines)
            sb.AppendLine(Inv, $"| {l.Metric} | {l.Value} | {l.Pass} | {l.Warning} | {l.Fail} | {Label(l.Grade)}{(l.Note is null ? "" : ": " + l.Note)} |");
        var failures = report.Aggregated.FailuresByCause.Concat(report.Login.FailuresByCause.Select(f => KeyValuePair.Create("login: " + f.Key, f.Value))).ToList();
        sb.AppendLine().AppendLine("## Failures").AppendLine();
        if (failures.Count == 0)
            sb.AppendLine("None.");
        foreach (var (cause, count) in failures)
            sb.AppendLine(Inv, $"- {count} × {cause}");
        return sb.ToString();
    }

    /// <summary>Locust's stats CSV: same columns, times in milliseconds, the aggregate last.</summary>
    public static string LocustStatsCsv(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.Append("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s");
        foreach (var level in EndpointResult.Levels)
            sb.Append(Inv, $",{EndpointResult.Key(level)}%");
        sb.AppendLine();
        foreach (var r in report.Endpoints.Prepend(report.Login).Append(report.Aggregated))
        {
            sb.Append(Inv, $"{r.Method},{Csv(r.Name)},{r.Requests},{r.Failures},{r.P50Ms:0.##},{r.AverageMs:0.##},{r.MinMs:0.##},{r.MaxMs:0.##},{r.AverageContentSize:0.##},{r.RequestsPerSecond:0.##},{r.FailuresPerSecond:0.##}");
            foreach (var level in EndpointResult.Levels)
                sb.Append(Inv, $",{r.PercentilesMs[EndpointResult.Key(level)]:0.##}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    public static Task<IReadOnlyList<string>> WriteFilesAsync(LoadReport report, string prefix, CancellationToken ct) =>
        WriteAllAsync(prefix, [(".json", JsonSerializer.Serialize(report, JsonOptions)), (".md", Markdown(report)), ("_stats.csv", LocustStatsCsv(report))], ct);

    /// <summary>Writes PREFIX + suffix for each file (creating the folder) and returns the paths.</summary>
    internal static async Task<IReadOnlyList<string>> WriteAllAsync(string prefix, IReadOnlyList<(string Suffix, string Text)> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var directory = Path.GetDirectoryName(Path.GetFullPath(prefix));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        var paths = new List<string>(files.Count);
        foreach (var (suffix, text) in files)
        {
            await File.WriteAllTextAsync(prefix + suffix, text, ct);
            paths.Add(prefix + suffix);
        }
        return paths;
    }

    static string Label(Grade grade) => grade switch
    {
        Grade.Pass => "pass",
        Grade.Warning => "warning",
        Grade.Fail => "FAIL",
        _ => "not judged",
    };

    static string Csv(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;
}

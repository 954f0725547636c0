using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ApesTogether.LoadTest;

/// <summary>One kind of request of the scenario, with its weight (0 for the login every user sends on start).</summary>
public sealed record ScenarioTask(string Method, string Name, int Weight);

/// <summary>
/// Runs virtual users against the API: each logs in, then loops over the weighted tasks with a think time between them.
/// One pooled <see cref="HttpClient"/> (SocketsHttpHandler, no connection cap) is shared by all users, so the number of
/// connections follows the number of requests in flight.
/// </summary>
public static class LoadRunner
{
    public static readonly ScenarioTask Login = new("POST", "/api/v1/auth/login", 0);
    public static readonly ScenarioTask Leaderboard = new("GET", "/api/v1/leaderboard?period=7d", 10);
    public static readonly ScenarioTask Realtime = new("GET", "/api/v1/portfolio/realtime", 5);
    public static readonly ScenarioTask PublicPortfolio = new("GET", "/api/v1/portfolio/public/stockguru", 3);
    public static readonly ScenarioTask Trade = new("POST", "/api/v1/trade", 1);
    public static readonly IReadOnlyList<ScenarioTask> Tasks = [Leaderboard, Realtime, PublicPortfolio, Trade];

    const string LoadTestEmail = "loadtest@example.com";
    static readonly byte[] TradeBody = """{"ticker":"AAPL","quantity":10,"action":"buy"}"""u8.ToArray();
    static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<LoadReport> RunAsync(LoadTestOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        using var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = int.MaxValue,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        using var client = new HttpClient(handler) { BaseAddress = options.Host, Timeout = TimeSpan.FromSeconds(120) };

        var stats = new Dictionary<ScenarioTask, EndpointStats>();
        foreach (var task in Tasks.Prepend(Login))
            stats[task] = new EndpointStats(task);
        var run = new RunState(options, stats);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        run.Clock = clock;
        if (!options.Steady)
        {
            run.MeasureFrom = TimeSpan.Zero;
            stop.CancelAfter(options.Duration);
        }

        using var progressTimer = new PeriodicTimer(options.ProgressInterval);
        var progressLoop = ProgressAsync(run, progressTimer, progress, stop.Token);

        var users = new List<Task>(options.Users);
        var spawnInterval = TimeSpan.FromSeconds(1 / options.SpawnRate);
        for (var i = 0; i < options.Users && !stop.IsCancellationRequested; i++)
        {
            // A copy per user: the lambda would otherwise read the loop variable after later iterations moved it on, and
            // several virtual users would share one account (their trades then queue on that account's write lock).
            var index = i;
            users.Add(Task.Run(() => UserAsync(index, client, run, stop.Token), CancellationToken.None));
            var due = spawnInterval * (i + 1);
            if (due > clock.Elapsed && i + 1 < options.Users)
            {
                try
                {
                    await Task.Delay(due - clock.Elapsed, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        if (options.Steady)
        {
            // Wait for every login, then open the window.
            while (Volatile.Read(ref run.LoggedIn) + Volatile.Read(ref run.LoginFailed) < users.Count && !stop.IsCancellationRequested)
                await Task.Delay(20, CancellationToken.None);
            run.MeasureFrom = clock.Elapsed;
            stop.CancelAfter(options.Duration);
            run.WindowOpen.TrySetResult();
        }

        await Task.WhenAll(users);
        var end = clock.Elapsed;
        await stop.CancelAsync();
        try
        {
            await progressLoop;
        }
        catch (OperationCanceledException)
        {
        }

        var window = end - (run.MeasureFrom ?? TimeSpan.Zero);
        return LoadReport.Build(options, stats.Values.Select(s => s.Snapshot(window, end)).ToList(), window, run.MaxActive);
    }

    sealed class RunState(LoadTestOptions options, Dictionary<ScenarioTask, EndpointStats> stats)
    {
        public LoadTestOptions Options { get; } = options;
        public Dictionary<ScenarioTask, EndpointStats> Stats { get; } = stats;
        public Stopwatch Clock { get; set; } = null!;
        TimeSpan? _measureFrom;
        public TimeSpan? MeasureFrom { get => _measureFrom; set => _measureFrom = value; }
        /// <summary>With --steady, users wait here after logging in, so the logins do not compete with the tasks.</summary>
        public TaskCompletionSource WindowOpen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Active;
        public int MaxActive;
        public int LoggedIn;
        public int LoginFailed;
    }

    static async Task UserAsync(int index, HttpClient client, RunState run, CancellationToken ct)
    {
        var options = run.Options;
        var random = new Random(unchecked((options.Seed * 1_000_003) + index));
        var active = Interlocked.Increment(ref run.Active);
        InterlockedMax(ref run.MaxActive, active);
        try
        {
            var email = options.SingleAccount
                ? LoadTestEmail
                : string.Create(CultureInfo.InvariantCulture, $"user{(index % options.Accounts) + 1:D5}@example.com");
            var loginBody = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { email, password = options.Password }));
            var token = await LoginAsync(client, run, loginBody, ct);
            Interlocked.Increment(ref token is null ? ref run.LoginFailed : ref run.LoggedIn);
            if (token is null)
                return;
            if (options.Steady)
                await run.WindowOpen.Task.WaitAsync(ct);
            var bearer = new AuthenticationHeaderValue("Bearer", token);
            var totalWeight = Tasks.Sum(t => t.Weight);
            while (!ct.IsCancellationRequested)
            {
                var pick = random.Next(totalWeight);
                var task = Tasks.First(t => (pick -= t.Weight) < 0);
                await SendAsync(client, run, task, bearer, task == Trade ? TradeBody : null, ct);
                if (options.ThinkMaxSeconds > 0)
                {
                    var think = options.ThinkMinSeconds + (random.NextDouble() * (options.ThinkMaxSeconds - options.ThinkMinSeconds));
                    await Task.Delay(TimeSpan.FromSeconds(think), ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref run.Active);
        }
    }

    static async Task<string?> LoginAsync(HttpClient client, RunState run, byte[] body, CancellationToken ct)
    {
        var response = await SendAsync(client, run, Login, null, body, ct, readBody: true);
        if (response is null)
            return null;
        using var json = JsonDocument.Parse(response);
        return json.RootElement.TryGetProperty("access_token", out var token) ? token.GetString() : null;
    }

    /// <summary>Sends one request and records it; returns the body when asked and the status was a success.</summary>
    static async Task<byte[]?> SendAsync(HttpClient client, RunState run, ScenarioTask task, AuthenticationHeaderValue? bearer, byte[]? body,
        CancellationToken ct, bool readBody = false)
    {
        using var request = new HttpRequestMessage(task.Method == "POST" ? HttpMethod.Post : HttpMethod.Get, task.Name);
        request.Headers.Authorization = bearer;
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = Json;
        }
        var started = run.Clock.Elapsed;
        string? failure = null;
        long size = 0;
        byte[]? content = null;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            content = await response.Content.ReadAsByteArrayAsync(ct);
            size = content.Length;
            var status = (int)response.StatusCode;
            if (status is < 200 or >= 400)
                failure = string.Create(CultureInfo.InvariantCulture, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw; // the run is over: an interrupted request is not a sample
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            failure = ex.InnerException is { } inner ? $"{ex.GetType().Name}: {inner.GetType().Name}" : ex.GetType().Name;
        }
        var elapsed = run.Clock.Elapsed - started;
        // Tasks count only inside the measured window; the login row always counts.
        if (task == Login || (run.MeasureFrom is { } from && started >= from))
            run.Stats[task].Record(elapsed, size, failure);
        return failure is null && readBody ? content : null;
    }

    static async Task ProgressAsync(RunState run, PeriodicTimer timer, TextWriter progress, CancellationToken ct)
    {
        long lastRequests = 0;
        var lastAt = TimeSpan.Zero;
        while (await timer.WaitForNextTickAsync(ct))
        {
            var now = run.Clock.Elapsed;
            var requests = run.Stats.Values.Sum(s => s.Requests);
            var failures = run.Stats.Values.Sum(s => s.Failures);
            var rps = (requests - lastRequests) / (now - lastAt).TotalSeconds;
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[{now.TotalSeconds,5:0}s] users {Volatile.Read(ref run.Active),5} (logged in {Volatile.Read(ref run.LoggedIn)}), requests {requests}, {rps,8:0.0} req/s, failures {failures}{(run.MeasureFrom is null ? " (logging in; window not open)" : "")}"));
            lastRequests = requests;
            lastAt = now;
        }
    }

    static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

/// <summary>Samples of one endpoint: every latency kept (microseconds), so percentiles are exact.</summary>
public sealed class EndpointStats(ScenarioTask task)
{
    readonly Lock _lock = new();
    readonly List<int> _micros = new(4096);
    readonly Dictionary<string, long> _failures = new(StringComparer.Ordinal);
    long _bytes;
    long _requests;
    long _failureCount;

    public ScenarioTask Task { get; } = task;
    public long Requests => Interlocked.Read(ref _requests);
    public long Failures => Interlocked.Read(ref _failureCount);

    public void Record(TimeSpan elapsed, long bytes, string? failure)
    {
        var micros = (int)Math.Min(int.MaxValue, elapsed.Ticks / 10);
        lock (_lock)
        {
            _micros.Add(micros);
            _bytes += bytes;
            if (failure is not null)
                _failures[failure] = _failures.GetValueOrDefault(failure) + 1;
        }
        Interlocked.Increment(ref _requests);
        if (failure is not null)
            Interlocked.Increment(ref _failureCount);
    }

    public EndpointResult Snapshot(TimeSpan window, TimeSpan runTime)
    {
        int[] sorted;
        Dictionary<string, long> failures;
        long bytes;
        lock (_lock)
        {
            sorted = [.. _micros];
            failures = new Dictionary<string, long>(_failures, StringComparer.Ordinal);
            bytes = _bytes;
        }
        Array.Sort(sorted);
        // The login row is spread over the whole run; the tasks over the measured window.
        var seconds = (Task == LoadRunner.Login ? runTime : window).TotalSeconds;
        return EndpointResult.From(Task.Method, Task.Name, sorted, bytes, failures, seconds);
    }
}

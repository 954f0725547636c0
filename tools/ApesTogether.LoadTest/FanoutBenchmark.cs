using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApesTogether.LoadTest.Fakes;

namespace ApesTogether.LoadTest;

public sealed record FanoutOptions
{
    public Uri Host { get; init; } = new("http://127.0.0.1:5080");
    /// <summary>The fake FCM listens here; the service's Notifications__Fcm__BaseUrl must point at it.</summary>
    public int FcmPort { get; init; } = 5091;
    /// <summary>Where the fake writes the service-account JSON that the service loads (Notifications__Fcm__ServiceAccountFile).</summary>
    public string ServiceAccountFile { get; init; } = "fcm-service-account.json";
    public string Email { get; init; } = "stockguru@example.com";
    public string Password { get; init; } = "testpass123";
    public string Ticker { get; init; } = "AAPL";
    /// <summary>Pushes to wait for: one per subscriber device.</summary>
    public int Expect { get; init; } = 10_000;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How long to wait for the service to become ready after the fake is up.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(3);
    /// <summary>Pause between the warm-up's last push and the measured trade.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);
    public string? Label { get; init; }
    public string? Out { get; init; }

    public const string Usage = """
        usage: ApesTogether.LoadTest fanout [--host http://127.0.0.1:5080] [--fcm-port 5091] [--service-account FILE]
                                            [--email stockguru@example.com] [--password testpass123] [--ticker AAPL]
                                            [--expect 10000] [--timeout 300] [--settle 10] [--label TEXT] [--out bench/results/NAME]
        Starts a fake FCM (OAuth token endpoint + HTTP v1 send) on 127.0.0.1:PORT, writes its service-account JSON to FILE,
        waits for the service at --host to be ready, places a warm-up trade as the creator, waits for its pushes and --settle
        seconds, then places the measured trade and times commit -> last push accepted.
        """;

    public static FanoutOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new FanoutOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Positive() => LoadTestOptions.PositiveInt(name, Value());
            o = name switch
            {
                "--host" => o with { Host = LoadTestOptions.AbsoluteUrl(name, Value()) },
                "--fcm-port" => o with { FcmPort = Positive() },
                "--service-account" => o with { ServiceAccountFile = Value() },
                "--email" => o with { Email = Value() },
                "--password" => o with { Password = Value() },
                "--ticker" => o with { Ticker = Value() },
                "--expect" => o with { Expect = Positive() },
                "--timeout" => o with { Timeout = TimeSpan.FromSeconds(Positive()) },
                "--settle" => o with { Settle = TimeSpan.FromSeconds(Positive()) },
                "--label" => o with { Label = Value() },
                "--out" => o with { Out = Value() },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }
        return o;
    }
}

/// <summary>What one fan-out run measured (the second trade; a first one warms the service up). Times are milliseconds from
/// the moment the trade's 201 arrived (the commit is just before it); <see cref="TradeRoundTripMs"/> is the trade request.</summary>
public sealed record FanoutReport(string? Label, int Expected, int Accepted, int DistinctTokens, int Doubled, int Refused,
    double TradeRoundTripMs, double FirstPushMs, double MedianPushMs, double P95PushMs, double LastPushMs, double PushesPerSecond,
    bool Complete, string ExecutedAt);

/// <summary>
/// The fan-out benchmark: one trade by a creator whose subscribers each have a device, timed from the trade's commit to the
/// last push the fake FCM accepted. HTTP only against the service; the fake FCM runs in this process.
/// </summary>
public static class FanoutBenchmark
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<FanoutReport> RunAsync(FanoutOptions options, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        await using var fcm = await FakeFcmServer.StartAsync(options.FcmPort, Path.GetFullPath(options.ServiceAccountFile), ct);
        progress.WriteLine($"fake FCM on {fcm.BaseAddress} (service account {fcm.ServiceAccountFile}); waiting for {options.Host}");
        using var client = new HttpClient { BaseAddress = options.Host, Timeout = TimeSpan.FromSeconds(60) };
        await WaitReadyAsync(client, options.StartTimeout, ct);

        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = options.Email, password = options.Password }, ct);
        var session = await ReadAsync(login, ct);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)session["access_token"]!);

        // A first trade warms the service (JIT, pools, the FCM token) and is not measured.
        await TradeAndWaitAsync(client, fcm, options, "warm-up", progress, ct);
        // The sender records the warm-up's pushes after sending them; the measured trade starts on an idle service.
        await Task.Delay(options.Settle, ct);
        var (before, committedAt, roundTrip, executedAt) = await TradeAndWaitAsync(client, fcm, options, "measured", progress, ct);
        // A moment more, so a push sent twice would be seen.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var pushes = fcm.Delivered.Skip(before).Select(d => (d.ReceivedAt - committedAt).TotalMilliseconds).Order().ToList();
        var tokens = fcm.Delivered.Skip(before).Select(d => d.Token).Distinct(StringComparer.Ordinal).Count();
        double At(double q) => pushes.Count == 0 ? double.NaN : pushes[Math.Min(pushes.Count - 1, (int)Math.Ceiling(q * pushes.Count) - 1)];
        var last = pushes.Count == 0 ? double.NaN : pushes[^1];
        var first = pushes.Count == 0 ? double.NaN : pushes[0];
        return new FanoutReport(options.Label, options.Expect, pushes.Count, tokens, pushes.Count - tokens, fcm.Refusals.Count,
            Math.Round(roundTrip, 1), Math.Round(first, 1), Math.Round(At(0.5), 1), Math.Round(At(0.95), 1), Math.Round(last, 1),
            pushes.Count > 1 ? Math.Round(pushes.Count / ((last - first) / 1000.0), 0) : double.NaN,
            pushes.Count >= options.Expect, executedAt);
    }

    /// <summary>One trade, then waiting for the expected pushes. Returns where its pushes start in the fake's record, the
    /// instant its 201 arrived, the request's round trip and the transaction's executed_at.</summary>
    static async Task<(int Before, DateTimeOffset CommittedAt, double RoundTripMs, string ExecutedAt)> TradeAndWaitAsync(HttpClient client,
        FakeFcmServer fcm, FanoutOptions options, string name, TextWriter progress, CancellationToken ct)
    {
        var before = fcm.Delivered.Count;
        var clock = Stopwatch.StartNew();
        var trade = await client.PostAsync("/api/v1/trade",
            new StringContent($$"""{"ticker":"{{options.Ticker}}","quantity":1,"action":"buy"}""", Encoding.UTF8, "application/json"), ct);
        var roundTrip = clock.Elapsed.TotalMilliseconds;
        var committedAt = DateTimeOffset.UtcNow;
        var body = await ReadAsync(trade, ct);
        if ((int)trade.StatusCode != 201)
            throw new InvalidOperationException($"The trade was not executed at once ({(int)trade.StatusCode}); is the market open on the service's clock?");
        var deadline = DateTime.UtcNow + options.Timeout;
        var lastReport = Stopwatch.StartNew();
        while (fcm.Delivered.Count - before < options.Expect && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, ct);
            if (lastReport.Elapsed >= TimeSpan.FromSeconds(2))
            {
                progress.WriteLine($"  {name}: {fcm.Delivered.Count - before}/{options.Expect} pushes after {clock.Elapsed.TotalSeconds:0.0} s");
                lastReport.Restart();
            }
        }
        progress.WriteLine($"  {name}: {fcm.Delivered.Count - before}/{options.Expect} pushes after {clock.Elapsed.TotalSeconds:0.0} s");
        return (before, committedAt, roundTrip, (string?)body["transaction"]?["executed_at"] ?? "");
    }

    static async Task WaitReadyAsync(HttpClient client, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var ready = await client.GetAsync("/health/ready", ct);
                if (ready.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{client.BaseAddress} was not ready within {timeout}.");
            await Task.Delay(250, ct);
        }
    }

    static async Task<JsonObject> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static string Table(FanoutReport r) => $"""
        | fan-out {r.Label} | value |
        |---|---|
        | pushes expected / accepted | {r.Expected} / {r.Accepted} |
        | distinct device tokens | {r.DistinctTokens} (doubled: {r.Doubled}, refused requests: {r.Refused}) |
        | trade request round trip | {r.TradeRoundTripMs} ms |
        | commit → first push | {r.FirstPushMs} ms |
        | commit → median push | {r.MedianPushMs} ms |
        | commit → 95th percentile push | {r.P95PushMs} ms |
        | commit → last push | {r.LastPushMs} ms |
        | push rate first → last | {r.PushesPerSecond}/s |
        """;

    public static Task<IReadOnlyList<string>> WriteFilesAsync(FanoutReport report, string prefix, CancellationToken ct) =>
        ReportWriter.WriteAllAsync(prefix, [(".json", JsonSerializer.Serialize(report, Json)), (".md", Table(report))], ct);
}

namespace ApesTogether.LoadTest;

/// <summary>
/// <c>ApesTogether.LoadTest [options]</c>: the guide's load scenario. <c>ApesTogether.LoadTest fanout [options]</c>: the
/// fan-out benchmark (one trade, every subscriber's device pushed through a fake FCM).
/// </summary>
static class Entry
{
    static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var fanout = args.Length > 0 && args[0] == "fanout";
        var rest = fanout ? args[1..] : args;
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            Console.WriteLine(fanout ? FanoutOptions.Usage : LoadTestOptions.Usage);
            return 0;
        }
        try
        {
            return fanout ? await FanoutAsync(FanoutOptions.Parse(rest), stop.Token) : await LoadAsync(LoadTestOptions.Parse(rest), stop.Token);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(fanout ? FanoutOptions.Usage : LoadTestOptions.Usage);
            return 2;
        }
    }

    static async Task<int> LoadAsync(LoadTestOptions options, CancellationToken ct)
    {
        var report = await LoadRunner.RunAsync(options, Console.Out, ct);
        await PrintAsync(ReportWriter.Table(report), options.Out, prefix => ReportWriter.WriteFilesAsync(report, prefix, CancellationToken.None));
        return report.Verdict.Overall == Grade.Fail ? 1 : 0;
    }

    static async Task<int> FanoutAsync(FanoutOptions options, CancellationToken ct)
    {
        var report = await FanoutBenchmark.RunAsync(options, Console.Out, ct);
        await PrintAsync(FanoutBenchmark.Table(report), options.Out, prefix => FanoutBenchmark.WriteFilesAsync(report, prefix, CancellationToken.None));
        return report.Complete && report.Doubled == 0 ? 0 : 1;
    }

    /// <summary>The report's table on the console, and its files when --out was given.</summary>
    static async Task PrintAsync(string table, string? outPrefix, Func<string, Task<IReadOnlyList<string>>> write)
    {
        Console.WriteLine();
        Console.WriteLine(table);
        if (outPrefix is not null)
        {
            Console.WriteLine($"reports: {string.Join(", ", await write(outPrefix))}");
        }
    }
}

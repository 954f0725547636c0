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
        Console.WriteLine();
        Console.WriteLine(ReportWriter.Table(report));
        if (options.Out is not null)
        {
            var files = await ReportWriter.WriteFilesAsync(report, options.Out, CancellationToken.None);
            Console.WriteLine($"reports: {string.Join(", ", files)}");
        }
        return report.Verdict.Overall == Grade.Fail ? 1 : 0;
    }

    static async Task<int> FanoutAsync(FanoutOptions options, CancellationToken ct)
    {
        var report = await FanoutBenchmark.RunAsync(options, Console.Out, ct);
        Console.WriteLine();
        Console.WriteLine(FanoutBenchmark.Table(report));
        if (options.Out is not null)
        {
            var files = await FanoutBenchmark.WriteFilesAsync(report, options.Out, CancellationToken.None);
            Console.WriteLine($"reports: {string.Join(", ", files)}");
        }
        return report.Complete && report.Doubled == 0 ? 0 : 1;
    }
}

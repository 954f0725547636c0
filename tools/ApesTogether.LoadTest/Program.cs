using ApesTogether.LoadTest;

LoadTestOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(LoadTestOptions.Usage);
        return 0;
    }
    options = LoadTestOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
var report = await LoadRunner.RunAsync(options, Console.Out, stop.Token);
Console.WriteLine();
Console.WriteLine(ReportWriter.Table(report));
if (options.Out is not null)
{
    var files = await ReportWriter.WriteFilesAsync(report, options.Out, CancellationToken.None);
    Console.WriteLine($"reports: {string.Join(", ", files)}");
}
return report.Verdict.Overall == Grade.Fail ? 1 : 0;

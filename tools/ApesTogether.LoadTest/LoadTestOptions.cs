using System.Globalization;

namespace ApesTogether.LoadTest;

/// <summary>The run: the guide's scenario (Locust's <c>between(1, 5)</c>, weights 10/5/3/1) against a base URL.</summary>
public sealed record LoadTestOptions
{
    public Uri Host { get; init; } = new("http://127.0.0.1:5080");
    public int Users { get; init; } = 1000;
    /// <summary>Users started per second.</summary>
    public double SpawnRate { get; init; } = 100;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public double ThinkMinSeconds { get; init; } = 1;
    public double ThinkMaxSeconds { get; init; } = 5;
    /// <summary>Every user logs in as loadtest@example.com instead of its own seeded account.</summary>
    public bool SingleAccount { get; init; }
    public string Password { get; init; } = "testpass123";
    /// <summary>How many numbered accounts (user00001…) were seeded; user i logs in as account (i mod N) + 1.</summary>
    public int Accounts { get; init; } = 1000;
    /// <summary>
    /// Measure from the moment every user is spawned and logged in (the duration then counts from there): for throughput
    /// runs, where a login storm at the start would otherwise eat the window. Logins are always reported in their own row.
    /// </summary>
    public bool Steady { get; init; }
    /// <summary>Report files are written as OUT.json, OUT.md and OUT_stats.csv (none when null).</summary>
    public string? Out { get; init; }
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);
    public int Seed { get; init; } = 1;

    public bool NoThink => ThinkMaxSeconds <= 0;

    public const string Usage = """
        usage: ApesTogether.LoadTest [--host http://127.0.0.1:5080] [--users 1000] [--spawn-rate 100] [--duration 60]
                                     [--think-min 1 --think-max 5 | --no-think] [--single-account] [--password testpass123]
                                     [--accounts 1000] [--steady] [--out bench/results/NAME] [--seed 1]
        """;

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> with a readable message on bad input.</summary>
    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new LoadTestOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            o = name switch
            {
                "--host" => o with { Host = AbsoluteUrl(name, Value()) },
                "--users" => o with { Users = PositiveInt(name, Value()) },
                "--spawn-rate" => o with { SpawnRate = PositiveDouble(name, Value()) },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(PositiveDouble(name, Value())) },
                "--think-min" => o with { ThinkMinSeconds = NonNegativeDouble(name, Value()) },
                "--think-max" => o with { ThinkMaxSeconds = NonNegativeDouble(name, Value()) },
                "--no-think" => o with { ThinkMinSeconds = 0, ThinkMaxSeconds = 0 },
                "--single-account" => o with { SingleAccount = true },
                "--password" => o with { Password = Value() },
                "--accounts" => o with { Accounts = PositiveInt(name, Value()) },
                "--steady" => o with { Steady = true },
                "--out" => o with { Out = Value() },
                "--seed" => o with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }
        if (o.ThinkMinSeconds > o.ThinkMaxSeconds)
            throw new ArgumentException("--think-min must not exceed --think-max.");
        return o;
    }

    internal static Uri AbsoluteUrl(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) ? url : throw new ArgumentException($"{name} must be an absolute URL.");

    internal static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number.");

    internal static double PositiveDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number.");

    static double NonNegativeDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException($"{name} must be a number ≥ 0.");
}

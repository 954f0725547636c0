using System.ComponentModel.DataAnnotations;
using ApesTogether.Api.Infrastructure;

namespace ApesTogether.Api.Features.MarketData;

public enum QuoteProviderKind { Simulated, AlphaVantage }

public enum FallbackKind { Yahoo, None }

public sealed class MarketDataOptions
{
    public const string Section = "MarketData";

    public QuoteProviderKind Provider { get; set; } = QuoteProviderKind.Simulated;

    /// <summary>Where traffic goes while AlphaVantage is failing; Yahoo unless turned off.</summary>
    public FallbackKind Fallback { get; set; } = FallbackKind.Yahoo;

    public AlphaVantageOptions AlphaVantage { get; set; } = new();
    public YahooOptions Yahoo { get; set; } = new();
    public BreakerOptions Breaker { get; set; } = new();
    public QuoteCacheOptions Cache { get; set; } = new();
    public RefresherOptions Refresher { get; set; } = new();
}

public sealed class AlphaVantageOptions
{
    [Required, Url]
    public string BaseUrl { get; set; } = "https://www.alphavantage.co/";

    /// <summary>Keys in rotation; from the environment (<c>MarketData__AlphaVantage__ApiKeys__0</c>…), never the repository.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Per-key budget per rolling minute.</summary>
    [Range(1, 10_000)]
    public int CallsPerMinute { get; set; } = 150;

    /// <summary>Optional per-key budget per UTC day.</summary>
    [Range(1, 10_000_000)]
    public int? CallsPerDay { get; set; }

    /// <summary>How long a caller may wait for a key to have budget before being served from cache.</summary>
    [TimeSpanRange("00:00:00", "00:00:30")]
    public TimeSpan MaxWaitForBudget { get; set; } = TimeSpan.FromSeconds(2);

    [TimeSpanRange("00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class YahooOptions
{
    [Required, Url]
    public string BaseUrl { get; set; } = "https://query1.finance.yahoo.com/";

    [TimeSpanRange("00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class BreakerOptions
{
    /// <summary>Consecutive primary failures that send traffic to the fallback.</summary>
    [Range(1, 100)]
    public int FailureThreshold { get; set; } = 3;

    /// <summary>How long traffic stays on the fallback before one probe of the primary.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(300);
}

public sealed class QuoteCacheOptions
{
    /// <summary>Quote lifetime while the market is open; closed, a quote lives until the next open.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan OpenLifetime { get; set; } = TimeSpan.FromSeconds(90);
}

public sealed class RefresherOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Time between refresh cycles in session; the cache lifetime by default.</summary>
    [TimeSpanRange("00:00:05", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(90);
}

using ApesTogether.Api.Features.MarketData.Vendors;
using ApesTogether.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.MarketData;

public static class MarketDataSetup
{
    public static IHostApplicationBuilder AddMarketData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MarketDataOptions>()
            .BindConfiguration(MarketDataOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Provider != QuoteProviderKind.AlphaVantage || o.AlphaVantage.ApiKeys.Any(k => !string.IsNullOrWhiteSpace(k)),
                "MarketData:Provider is AlphaVantage but no MarketData:AlphaVantage:ApiKeys are configured.")
            .ValidateOnStart();
        builder.Services.AddSingleton<StockUniverse>();
        builder.Services.AddSingleton<SimulatedQuoteProvider>();
        builder.Services.AddSingleton<ApiCallRecorder>();
        builder.Services.AddSingleton<ApiKeyPool>();
        builder.Services.AddSingleton<QuoteSource>();
        builder.Services.AddScoped<DailyPriceStore>();

        builder.Services.AddHttpClient<AlphaVantageClient>((sp, http) =>
        {
            var av = sp.GetRequiredService<IOptions<MarketDataOptions>>().Value.AlphaVantage;
            http.BaseAddress = BaseAddress(av.BaseUrl);
            http.Timeout = av.Timeout;
        }).RemoveAllLoggers(); // the key travels in the query string; our own call log records calls without it
        builder.Services.AddHttpClient<YahooChartClient>((sp, http) =>
        {
            var yahoo = sp.GetRequiredService<IOptions<MarketDataOptions>>().Value.Yahoo;
            http.BaseAddress = BaseAddress(yahoo.BaseUrl);
            http.Timeout = yahoo.Timeout;
            http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (compatible; ApesTogether/1.0)");
        });
        builder.Services.AddSingleton<AlphaVantageQuoteProvider>();
        builder.Services.AddSingleton<YahooQuoteProvider>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MarketDataOptions>>().Value;
            var breaker = new CircuitBreaker("AlphaVantage breaker", options.Breaker.FailureThreshold, options.Breaker.BreakDuration,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CircuitBreaker>>(),
                sp.GetRequiredService<ApesMetrics>().QuoteFailovers);
            return breaker;
        });
        builder.Services.AddSingleton<IQuoteProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MarketDataOptions>>().Value;
            if (options.Provider == QuoteProviderKind.Simulated)
            {
                return sp.GetRequiredService<SimulatedQuoteProvider>();
            }
            IQuoteProvider primary = sp.GetRequiredService<AlphaVantageQuoteProvider>();
            return options.Fallback == FallbackKind.None
                ? primary
                : new FailoverQuoteProvider(primary, sp.GetRequiredService<YahooQuoteProvider>(), sp.GetRequiredService<CircuitBreaker>(),
                    sp.GetRequiredService<ILogger<FailoverQuoteProvider>>());
        });
        return builder;
    }

    /// <summary>The clients' paths are relative, so the base must end with a slash or its last segment would be replaced.</summary>
    static Uri BaseAddress(string url) => new(url.EndsWith('/') ? url : url + "/");
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using ApesTogether.Api.Features.MarketData.Vendors;
using ApesTogether.LoadTest.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApesTogether.IntegrationTests.Infrastructure;

/// <summary>How a vendor behaves. Yahoo has no throttle bodies, so both throttle modes make it answer 429.</summary>
public enum FakeVendorMode { Normal, ThrottleNote, ThrottleInformation, Http429, Http503, Malformed, Hang }

/// <summary>One request the fake received. <see cref="Query"/> is decoded, so it holds the API key in clear.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query)
{
    public string? this[string parameter] => Query.TryGetValue(parameter, out var value) ? value : null;
}

/// <summary>What the fake market knows about one symbol. Bars are the finished sessions, before <see cref="FakeVendorServer.QuoteTime"/>'s date.</summary>
public sealed record FakeSecurity(
    string Symbol,
    decimal Price,
    decimal PreviousClose,
    decimal? Open,
    IReadOnlyList<DailyBar> Bars,
    string Name,
    string? Sector,
    string? Industry,
    decimal? MarketCapitalization);

/// <summary>
/// AlphaVantage and Yahoo on a real loopback port, for client tests and for end-to-end tests of the service
/// (point <c>MarketData:AlphaVantage:BaseUrl</c> and <c>MarketData:Yahoo:BaseUrl</c> at <see cref="BaseAddress"/>).
/// By default it serves a small in-memory market in each vendor's format (AlphaVantage at <c>/query</c>, Yahoo at
/// <c>/v8/finance/chart/{symbol}</c>); a test switches a vendor's <see cref="FakeVendorMode"/> to simulate outages,
/// or sets <see cref="Handler"/> to script any answer. Every request is recorded. Safe to use from parallel requests.
/// </summary>
public sealed class FakeVendorServer : IAsyncDisposable
{
    /// <summary>Monday 2 March 2026, 10:00 New York, the same instant as <see cref="ApiFactory.MondayMorning"/>.</summary>
    public static readonly DateTimeOffset DefaultQuoteTime = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    readonly WebApplication _app;
    readonly CancellationTokenSource _stopping = new();
    readonly ConcurrentQueue<RecordedRequest> _requests = new();
    readonly ConcurrentDictionary<string, FakeSecurity> _market = new(StringComparer.OrdinalIgnoreCase);
    volatile FakeVendorMode _alphaVantageMode;
    volatile FakeVendorMode _yahooMode;
    volatile Func<HttpContext, Task>? _handler;
    volatile string? _expectedApiKey;
    long _quoteTimeTicks = DefaultQuoteTime.UtcTicks;
    long _retryAfterSeconds = 60;

    FakeVendorServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public static async Task<FakeVendorServer> StartAsync(CancellationToken cancellationToken = default)
    {
        FakeVendorServer? server = null;
        var (app, address) = await LoopbackServer.StartAsync(context => server!.HandleAsync(context), cancellationToken);
        server = new FakeVendorServer(app, address);
        return server;
    }

    /// <summary>The root of both vendors, ending in '/': <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    public FakeVendorMode AlphaVantageMode { get => _alphaVantageMode; set => _alphaVantageMode = value; }

    public FakeVendorMode YahooMode { get => _yahooMode; set => _yahooMode = value; }

    /// <summary>Both vendors at once. Reading it when they differ is a test bug.</summary>
    public FakeVendorMode Mode
    {
        get => AlphaVantageMode == YahooMode ? AlphaVantageMode : throw new InvalidOperationException("The vendors are in different modes.");
        set => (AlphaVantageMode, YahooMode) = (value, value);
    }

    /// <summary>When set, answers every request instead of the market and the modes (requests are still recorded).</summary>
    public Func<HttpContext, Task>? Handler { get => _handler; set => _handler = value; }

    /// <summary>When set, AlphaVantage refuses other keys the way the vendor does: an "Information" body with HTTP 200.</summary>
    public string? ExpectedApiKey { get => _expectedApiKey; set => _expectedApiKey = value; }

    /// <summary>The instant of every quote the market serves; its New York date is "today".</summary>
    public DateTimeOffset QuoteTime
    {
        get => new(Interlocked.Read(ref _quoteTimeTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _quoteTimeTicks, value.UtcTicks);
    }

    /// <summary>The Retry-After header sent with 429 answers in <see cref="FakeVendorMode.Http429"/>.</summary>
    public TimeSpan RetryAfter
    {
        get => TimeSpan.FromSeconds(Interlocked.Read(ref _retryAfterSeconds));
        set => Interlocked.Exchange(ref _retryAfterSeconds, (long)value.TotalSeconds);
    }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyCollection<string> KnownSymbols => [.. _market.Keys.Order(StringComparer.Ordinal)];

    public void ClearRequests() => _requests.Clear();

    public FakeSecurity? this[string symbol] => _market.TryGetValue(symbol, out var security) ? security : null;

    /// <summary>Adds the symbol or changes its price, keeping its bars and company facts.</summary>
    public void SetQuote(string symbol, decimal price, decimal previousClose, decimal? open = null) =>
        _market.AddOrUpdate(
            symbol,
            s => new FakeSecurity(s.ToUpperInvariant(), price, previousClose, open, [], s.ToUpperInvariant() + " Inc.", null, null, null),
            (_, existing) => existing with { Price = price, PreviousClose = previousClose, Open = open });

    /// <summary>Replaces the finished sessions of a symbol already set with <see cref="SetQuote"/>.</summary>
    public void SetDailyBars(string symbol, params IEnumerable<DailyBar> bars)
    {
        var sorted = bars.OrderBy(b => b.Date).ToList();
        Update(symbol, s => s with { Bars = sorted });
    }

    public void SetOverview(string symbol, string name, string? sector, string? industry, decimal? marketCapitalization) =>
        Update(symbol, s => s with { Name = name, Sector = sector, Industry = industry, MarketCapitalization = marketCapitalization });

    public bool RemoveSymbol(string symbol) => _market.TryRemove(symbol, out _);

    void Update(string symbol, Func<FakeSecurity, FakeSecurity> change)
    {
        if (!_market.ContainsKey(symbol))
            throw new InvalidOperationException($"Call SetQuote for {symbol} first.");
        _market.AddOrUpdate(symbol, _ => throw new InvalidOperationException($"{symbol} was removed."), (_, existing) => change(existing));
    }

    public async ValueTask DisposeAsync()
    {
        // Hanging answers wait on this token, so stopping does not wait for the host's shutdown timeout.
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.Path.Value ?? "/",
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase)));

        if (Handler is { } handler)
        {
            await handler(context);
            return;
        }
        if (request.Path.Equals("/query", StringComparison.OrdinalIgnoreCase))
            await AlphaVantageAsync(context);
        else if (request.Path.StartsWithSegments("/v8/finance/chart", StringComparison.OrdinalIgnoreCase, out var rest) && rest.Value is { Length: > 1 } symbol)
            await YahooAsync(context, Uri.UnescapeDataString(symbol[1..]));
        else
            context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    async Task AlphaVantageAsync(HttpContext context)
    {
        switch (AlphaVantageMode)
        {
            case FakeVendorMode.ThrottleNote:
                await Respond(AlphaVantageNote())(context);
                return;
            case FakeVendorMode.ThrottleInformation:
                await Respond(AlphaVantageRateLimitInformation())(context);
                return;
            case FakeVendorMode.Normal:
                break;
            default:
                await MisbehaveAsync(context, AlphaVantageMode);
                return;
        }

        var query = context.Request.Query;
        if (ExpectedApiKey is { } key && query["apikey"] != key)
        {
            await Respond(AlphaVantageInvalidKeyInformation())(context);
            return;
        }
        var function = query["function"].ToString();
        var symbol = query["symbol"].ToString();
        var body = function switch
        {
            "REALTIME_BULK_QUOTES" => BulkAnswer(symbol.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            "GLOBAL_QUOTE" => this[symbol] is { } s
                ? AlphaVantageGlobalQuote(s.Symbol, s.Price, s.PreviousClose, s.Open ?? s.PreviousClose, NewYorkDate(QuoteTime))
                : AlphaVantageEmptyGlobalQuote(),
            "TIME_SERIES_DAILY" => this[symbol] is { } s
                ? AlphaVantageDaily(s.Symbol, query["outputsize"] == "full" ? s.Bars : s.Bars.TakeLast(100))
                : AlphaVantageInvalidApiCall(function),
            "OVERVIEW" => this[symbol] is { } s
                ? AlphaVantageOverview(s.Symbol, s.Name, s.Sector, s.Industry, s.MarketCapitalization)
                : [],
            _ => AlphaVantageInvalidApiCall(function),
        };
        await Respond(body)(context);
    }

    JsonObject BulkAnswer(string[] symbols)
    {
        var known = symbols.Select(s => this[s]).OfType<FakeSecurity>().ToList();
        var unknown = symbols.Where(s => this[s] is null).ToList();
        var answer = AlphaVantageBulk(QuoteTime, [.. known.Select(s => (s.Symbol, s.Price, s.PreviousClose))]);
        foreach (var (item, security) in answer["data"]!.AsArray().Zip(known))
        {
            if (security.Open is { } open)
            {
                item!["open"] = open.ToString(CultureInfo.InvariantCulture);
            }
        }
        if (unknown.Count > 0)
            answer["message"] = "the following symbols are invalid: " + string.Join(',', unknown);
        return answer;
    }

    async Task YahooAsync(HttpContext context, string symbol)
    {
        if (YahooMode != FakeVendorMode.Normal)
        {
            await MisbehaveAsync(context, YahooMode is FakeVendorMode.ThrottleNote or FakeVendorMode.ThrottleInformation ? FakeVendorMode.Http429 : YahooMode);
            return;
        }
        if (this[symbol] is not { } security)
        {
            await Respond(YahooNotFound(), StatusCodes.Status404NotFound)(context);
            return;
        }

        var query = context.Request.Query;
        var quoteTime = QuoteTime;
        var today = NewYorkDate(quoteTime);
        var sessions = security.Bars.Where(b => b.Date < today)
            .Select(b => new YahooBar(SessionOpen(b.Date), b.Open, b.High, b.Low, b.Close, b.Volume))
            .ToList();
        if (long.TryParse(query["period1"], CultureInfo.InvariantCulture, out var period1)
            && long.TryParse(query["period2"], CultureInfo.InvariantCulture, out var period2))
        {
            var inRange = sessions.Where(b => b.Time.ToUnixTimeSeconds() >= period1 && b.Time.ToUnixTimeSeconds() < period2).ToList();
            await Respond(YahooChart(security.Symbol, security.Price, security.PreviousClose, quoteTime, inRange))(context);
            return;
        }

        // range=5d: the last four finished sessions and today's, which is still moving.
        var open = security.Open ?? security.PreviousClose;
        var todayBar = new YahooBar(SessionOpen(today), open, Math.Max(open, security.Price), Math.Min(open, security.Price), security.Price, 0);
        await Respond(YahooChart(security.Symbol, security.Price, security.PreviousClose, quoteTime, [.. sessions.TakeLast(4), todayBar]))(context);
    }

    async Task MisbehaveAsync(HttpContext context, FakeVendorMode mode)
    {
        switch (mode)
        {
            case FakeVendorMode.Http429:
                await Respond(new JsonObject { ["error"] = "Too Many Requests" }, StatusCodes.Status429TooManyRequests, RetryAfter)(context);
                break;
            case FakeVendorMode.Http503:
                await RespondText("<html><body>Service Unavailable</body></html>", StatusCodes.Status503ServiceUnavailable, "text/html")(context);
                break;
            case FakeVendorMode.Malformed:
                await RespondText("""{"chart":{"result":[{"meta":{"symbol":""")(context);
                break;
            case FakeVendorMode.Hang:
                using (var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, both.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The client gave up or the server is stopping: either way nobody is waiting for an answer.
                    }
                }
                break;
            default:
                throw new InvalidOperationException($"Mode {mode} is not a misbehaviour.");
        }
    }

    /// <summary>A handler answering with a JSON body, for <see cref="Handler"/>.</summary>
    public static Func<HttpContext, Task> Respond(JsonNode body, int status = StatusCodes.Status200OK, TimeSpan? retryAfter = null) =>
        context =>
        {
            if (retryAfter is { } wait)
                context.Response.Headers.RetryAfter = ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return RespondText(body.ToJsonString(), status)(context);
        };

    /// <summary>A handler answering with any text, such as broken JSON or an HTML error page.</summary>
    public static Func<HttpContext, Task> RespondText(string body, int status = StatusCodes.Status200OK, string contentType = "application/json") =>
        async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        };

    /// <summary>A REALTIME_BULK_QUOTES answer; numbers are strings, as the vendor sends them.</summary>
    public static JsonObject AlphaVantageBulk(DateTimeOffset asOf, params (string Symbol, decimal Price, decimal PreviousClose)[] quotes)
    {
        var wallClock = TimeZoneInfo.ConvertTime(asOf, NewYork).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var data = new JsonArray();
        foreach (var (symbol, price, previousClose) in quotes)
        {
            data.Add(new JsonObject
            {
                ["symbol"] = symbol,
                ["timestamp"] = wallClock,
                ["open"] = Text(previousClose),
                ["high"] = Text(Math.Max(price, previousClose)),
                ["low"] = Text(Math.Min(price, previousClose)),
                ["close"] = Text(price),
                ["volume"] = "1000000",
                ["previous_close"] = Text(previousClose),
                ["change"] = Text(price - previousClose),
                ["change_percent"] = Text(Math.Round((price - previousClose) / previousClose * 100, 4)),
                ["extended_hours_quote"] = Text(price),
                ["extended_hours_change"] = "0.00",
                ["extended_hours_change_percent"] = "0.0000",
            });
        }
        return new JsonObject { ["endpoint"] = "Realtime Bulk Quotes", ["message"] = "", ["data"] = data };
    }

    public static JsonObject AlphaVantageBulk(params (string Symbol, decimal Price, decimal PreviousClose)[] quotes) =>
        AlphaVantageBulk(DefaultQuoteTime, quotes);

    public static JsonObject AlphaVantageGlobalQuote(string symbol, decimal price, decimal previousClose, decimal open, DateOnly latestTradingDay) =>
        new()
        {
            ["Global Quote"] = new JsonObject
            {
                ["01. symbol"] = symbol,
                ["02. open"] = Text(open, "F4"),
                ["03. high"] = Text(Math.Max(open, price), "F4"),
                ["04. low"] = Text(Math.Min(open, price), "F4"),
                ["05. price"] = Text(price, "F4"),
                ["06. volume"] = "2934781",
                ["07. latest trading day"] = latestTradingDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["08. previous close"] = Text(previousClose, "F4"),
                ["09. change"] = Text(price - previousClose, "F4"),
                ["10. change percent"] = Text(Math.Round((price - previousClose) / previousClose * 100, 4), "F4") + "%",
            },
        };

    public static JsonObject AlphaVantageEmptyGlobalQuote() => new() { ["Global Quote"] = new JsonObject() };

    /// <summary>A TIME_SERIES_DAILY answer, newest day first as the vendor sends it.</summary>
    public static JsonObject AlphaVantageDaily(string symbol, IEnumerable<DailyBar> bars)
    {
        var ordered = bars.OrderByDescending(b => b.Date).ToList();
        var series = new JsonObject();
        foreach (var bar in ordered)
        {
            series[bar.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["1. open"] = Text(bar.Open, "F4"),
                ["2. high"] = Text(bar.High, "F4"),
                ["3. low"] = Text(bar.Low, "F4"),
                ["4. close"] = Text(bar.Close, "F4"),
                ["5. volume"] = bar.Volume.ToString(CultureInfo.InvariantCulture),
            };
        }
        return new JsonObject
        {
            ["Meta Data"] = new JsonObject
            {
                ["1. Information"] = "Daily Prices (open, high, low, close) and Volumes",
                ["2. Symbol"] = symbol,
                ["3. Last Refreshed"] = ordered.Count > 0 ? ordered[0].Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "",
                ["4. Output Size"] = "Compact",
                ["5. Time Zone"] = "US/Eastern",
            },
            ["Time Series (Daily)"] = series,
        };
    }

    public static JsonObject AlphaVantageOverview(string symbol, string name, string? sector, string? industry, decimal? marketCapitalization) =>
        new()
        {
            ["Symbol"] = symbol,
            ["AssetType"] = "Common Stock",
            ["Name"] = name,
            ["Exchange"] = "NYSE",
            ["Currency"] = "USD",
            ["Sector"] = sector ?? "None",
            ["Industry"] = industry ?? "None",
            ["MarketCapitalization"] = marketCapitalization is { } cap ? Text(cap, "F0") : "None",
        };

    /// <summary>The vendor's answer to an unknown symbol on TIME_SERIES_DAILY, and to a misspelt function.</summary>
    public static JsonObject AlphaVantageInvalidApiCall(string function) =>
        new() { ["Error Message"] = $"Invalid API call. Please retry or visit the documentation for {function}." };

    public static JsonObject AlphaVantageNote() =>
        new() { ["Note"] = "Thank you for using our API! Our standard API call frequency is 5 calls per minute and 500 calls per day." };

    public static JsonObject AlphaVantageRateLimitInformation() =>
        new() { ["Information"] = "Thank you for using our API! Our standard API rate limit is 25 requests per day. Please subscribe to a premium plan to remove all daily rate limits." };

    public static JsonObject AlphaVantagePremiumInformation() =>
        new() { ["Information"] = "Thank you for using our API! This is a premium endpoint. You may subscribe to a premium plan to instantly unlock all premium endpoints." };

    public static JsonObject AlphaVantageInvalidKeyInformation() =>
        new() { ["Information"] = "The parameter apikey is invalid or missing. Please claim your free API key." };

    /// <summary>One bar of a Yahoo chart; null values are the gaps Yahoo leaves for halted or missing data.</summary>
    public sealed record YahooBar(DateTimeOffset Time, decimal? Open, decimal? High, decimal? Low, decimal? Close, long? Volume);

    /// <summary>A v8 chart answer. Numbers are JSON numbers, as Yahoo sends them.</summary>
    public static JsonObject YahooChart(string symbol, decimal price, decimal? previousClose, DateTimeOffset marketTime, IReadOnlyList<YahooBar> bars)
    {
        var meta = new JsonObject
        {
            ["currency"] = "USD",
            ["symbol"] = symbol,
            ["exchangeName"] = "NMS",
            ["instrumentType"] = "EQUITY",
            ["regularMarketPrice"] = price,
            ["chartPreviousClose"] = previousClose,
            ["regularMarketTime"] = marketTime.ToUnixTimeSeconds(),
            ["exchangeTimezoneName"] = "America/New_York",
        };
        if (previousClose is not null)
            meta["previousClose"] = previousClose;
        JsonArray Column<T>(Func<YahooBar, T> value) => [.. bars.Select(b => JsonValue.Create(value(b)))];
        var result = new JsonObject
        {
            ["meta"] = meta,
            ["timestamp"] = Column(b => b.Time.ToUnixTimeSeconds()),
            ["indicators"] = new JsonObject
            {
                ["quote"] = new JsonArray(new JsonObject
                {
                    ["open"] = Column(b => b.Open),
                    ["high"] = Column(b => b.High),
                    ["low"] = Column(b => b.Low),
                    ["close"] = Column(b => b.Close),
                    ["volume"] = Column(b => b.Volume),
                }),
            },
        };
        return new JsonObject { ["chart"] = new JsonObject { ["result"] = new JsonArray(result), ["error"] = null } };
    }

    public static JsonObject YahooNotFound() =>
        new()
        {
            ["chart"] = new JsonObject
            {
                ["result"] = null,
                ["error"] = new JsonObject { ["code"] = "Not Found", ["description"] = "No data found, symbol may be delisted" },
            },
        };

    /// <summary>09:30 New York on a date: the timestamp Yahoo gives a daily bar.</summary>
    public static DateTimeOffset SessionOpen(DateOnly date)
    {
        var wallClock = date.ToDateTime(new TimeOnly(9, 30));
        return new DateTimeOffset(wallClock, NewYork.GetUtcOffset(wallClock));
    }

    public static DateOnly NewYorkDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, NewYork).DateTime);

    static string Text(decimal value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ApesTogether.Api.Features.MarketData.Vendors;

/// <summary>
/// Yahoo's chart API. The base address is configuration and must end with '/'; requests go to
/// <c>v8/finance/chart/{symbol}</c> relative to it. Numbers are JSON numbers, read as decimals exactly.
/// </summary>
public sealed class YahooChartClient(HttpClient http)
{
    /// <summary>The latest quote for one symbol, or null when Yahoo does not know it.</summary>
    public async Task<VendorQuote?> GetQuoteAsync(string symbol, CancellationToken ct)
    {
        symbol = CheckSymbol(symbol);
        var operation = $"Yahoo chart {symbol}";
        using var json = await ChartAsync($"{Uri.EscapeDataString(symbol)}?interval=1d&range=5d", operation, ct);
        if (json is null)
            return null;
        var result = Result(json.RootElement, operation);
        if (result is not { } chart)
            return null;

        var meta = chart.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object
            ? m
            : throw VendorHttp.UnexpectedShape(operation, "no meta");
        if (VendorHttp.Decimal(meta, "regularMarketPrice") is not { } price || price <= 0)
            throw VendorHttp.UnexpectedShape(operation, "no regularMarketPrice");
        DateTimeOffset? asOf = meta.TryGetProperty("regularMarketTime", out var time) && time.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

        var bars = Bars(chart, operation);
        var today = asOf is { } instant ? VendorHttp.NewYorkDate(instant) : (DateOnly?)null;
        var todayBar = bars.Count > 0 && bars[^1].Date == today ? bars[^1] : null;
        // chartPreviousClose is the close before the first bar of the range (five sessions back for range=5d),
        // so the last bar before today is the better fallback when meta lacks previousClose.
        var previousClose = Positive(VendorHttp.Decimal(meta, "previousClose"))
            ?? bars.LastOrDefault(b => b.Date < today && b.Close is > 0)?.Close
            ?? Positive(VendorHttp.Decimal(meta, "chartPreviousClose"));

        return new VendorQuote(
            VendorHttp.String(meta, "symbol")?.Trim().ToUpperInvariant() is { Length: > 0 } answered ? answered : symbol,
            price,
            previousClose,
            Positive(todayBar?.Open),
            asOf);
    }

    /// <summary>
    /// Daily bars for the New York dates from <paramref name="from"/> to <paramref name="to"/> inclusive, ascending,
    /// or null when Yahoo does not know the symbol. Days Yahoo answers with nulls are left out.
    /// </summary>
    public async Task<IReadOnlyList<DailyBar>?> GetDailySeriesAsync(string symbol, DateOnly from, DateOnly to, CancellationToken ct)
    {
        symbol = CheckSymbol(symbol);
        if (from > to)
            throw new ArgumentException($"The range {from:yyyy-MM-dd}..{to:yyyy-MM-dd} is empty.", nameof(from));
        var operation = $"Yahoo chart {symbol} daily";
        var period1 = VendorHttp.NewYorkMidnight(from).ToUnixTimeSeconds();
        // period2 is exclusive, so ask up to the midnight after the last wanted day.
        var period2 = VendorHttp.NewYorkMidnight(to.AddDays(1)).ToUnixTimeSeconds();
        var query = string.Create(CultureInfo.InvariantCulture, $"{Uri.EscapeDataString(symbol)}?interval=1d&period1={period1}&period2={period2}");
        using var json = await ChartAsync(query, operation, ct);
        if (json is null)
            return null;
        var result = Result(json.RootElement, operation);
        if (result is not { } chart)
            return null;

        var bars = Bars(chart, operation);
        var complete = new List<DailyBar>(bars.Count);
        foreach (var bar in bars)
        {
            if (bar.Date >= from && bar.Date <= to && bar.ToDailyBar() is { } daily)
                complete.Add(daily);
        }
        return complete;
    }

    /// <summary>The parsed answer, or null for Yahoo's 404 "Not Found" (an unknown symbol).</summary>
    async Task<JsonDocument?> ChartAsync(string pathAndQuery, string operation, CancellationToken ct)
    {
        var response = await VendorHttp.GetAsync(http, "v8/finance/chart/" + pathAndQuery, operation, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // Only Yahoo's own "Not Found" chart error means an unknown symbol; any other 404 (a wrong base URL,
            // say) is an outage and must not make a real symbol look unknown.
            using var notFound = TryParse(response.Body);
            if (notFound is not null && ErrorCode(notFound.RootElement) is "Not Found")
                return null;
            throw new VendorErrorException($"{operation}: HTTP 404.", response.StatusCode);
        }
        VendorHttp.ThrowIfFailed(response, operation);
        var json = VendorHttp.ParseJson(response, operation);
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            json.Dispose();
            throw VendorHttp.UnexpectedShape(operation, "not a JSON object");
        }
        return json;
    }

    /// <summary>chart.result[0], or null when Yahoo answered 200 with its "Not Found" error.</summary>
    static JsonElement? Result(JsonElement root, string operation)
    {
        if (!root.TryGetProperty("chart", out var chart) || chart.ValueKind != JsonValueKind.Object)
            throw VendorHttp.UnexpectedShape(operation, "no chart");
        if (chart.TryGetProperty("result", out var results) && results.ValueKind == JsonValueKind.Array && results.GetArrayLength() > 0)
        {
            return results[0].ValueKind == JsonValueKind.Object ? results[0] : throw VendorHttp.UnexpectedShape(operation, "result is not an object");
        }
        return ErrorCode(root) switch
        {
            "Not Found" => null,
            { } code => throw new VendorErrorException($"{operation}: Yahoo error {code}.", HttpStatusCode.OK),
            null => throw VendorHttp.UnexpectedShape(operation, "no result"),
        };
    }

    static string? ErrorCode(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("chart", out var chart)
        && chart.ValueKind == JsonValueKind.Object
        && chart.TryGetProperty("error", out var error)
            ? VendorHttp.String(error, "code")
            : null;

    static JsonDocument? TryParse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>timestamp[] zipped with indicators.quote[0], one entry per New York date (the last wins), ascending.</summary>
    static List<RawBar> Bars(JsonElement chart, string operation)
    {
        // A range with no sessions comes without timestamps or with empty arrays.
        if (!chart.TryGetProperty("timestamp", out var timestamps) || timestamps.ValueKind == JsonValueKind.Null)
            return [];
        if (timestamps.ValueKind != JsonValueKind.Array)
            throw VendorHttp.UnexpectedShape(operation, "timestamp is not an array");
        if (!chart.TryGetProperty("indicators", out var indicators)
            || !indicators.TryGetProperty("quote", out var quotes)
            || quotes.ValueKind != JsonValueKind.Array
            || quotes.GetArrayLength() == 0
            || quotes[0].ValueKind != JsonValueKind.Object)
        {
            throw VendorHttp.UnexpectedShape(operation, "no indicators.quote");
        }
        var quote = quotes[0];
        var open = Column(quote, "open", operation);
        var high = Column(quote, "high", operation);
        var low = Column(quote, "low", operation);
        var close = Column(quote, "close", operation);
        var volume = Column(quote, "volume", operation);

        var byDate = new SortedDictionary<DateOnly, RawBar>();
        var i = 0;
        foreach (var stamp in timestamps.EnumerateArray())
        {
            if (stamp.TryGetInt64(out var seconds))
            {
                var date = VendorHttp.NewYorkDate(DateTimeOffset.FromUnixTimeSeconds(seconds));
                byDate[date] = new RawBar(
                    date,
                    At(open, i),
                    At(high, i),
                    At(low, i),
                    At(close, i),
                    i < volume.Length && volume[i] is { } v ? VendorHttp.Volume(v) : null);
            }
            i++;
        }
        return [.. byDate.Values];
    }

    static JsonElement?[] Column(JsonElement quote, string name, string operation)
    {
        if (!quote.TryGetProperty(name, out var column) || column.ValueKind == JsonValueKind.Null)
            return [];
        if (column.ValueKind != JsonValueKind.Array)
            throw VendorHttp.UnexpectedShape(operation, $"{name} is not an array");
        return [.. column.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (JsonElement?)null : e)];
    }

    static decimal? At(JsonElement?[] column, int index) =>
        index < column.Length && column[index] is { } element ? VendorHttp.Decimal(element) : null;

    static decimal? Positive(decimal? value) => value > 0 ? value : null;

    static string CheckSymbol(string symbol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        return symbol.Trim().ToUpperInvariant();
    }

    /// <summary>A bar as Yahoo sent it, where any value may be missing.</summary>
    sealed record RawBar(DateOnly Date, decimal? Open, decimal? High, decimal? Low, decimal? Close, long? Volume)
    {
        public DailyBar? ToDailyBar() =>
            Open is { } open && High is { } high && Low is { } low && Close is { } close && Volume is { } volume
                ? new DailyBar(Date, open, high, low, close, volume)
                : null;
    }
}

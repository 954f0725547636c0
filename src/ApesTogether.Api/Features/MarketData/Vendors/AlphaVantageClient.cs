using System.Globalization;
using System.Text.Json;

namespace ApesTogether.Api.Features.MarketData.Vendors;

/// <summary>
/// AlphaVantage's query API. The base address is configuration and must end with '/'; requests go to
/// <c>query?function=...</c> relative to it. The vendor reports throttles and errors inside HTTP 200 bodies,
/// so every answer is checked for <c>Note</c>, <c>Information</c> and <c>Error Message</c> before it is read.
/// </summary>
public sealed class AlphaVantageClient(HttpClient http)
{
    public const int MaxBulkSymbols = 100;

    static readonly string[] TimestampFormats = ["yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd"];

    // Phrases AlphaVantage uses when an "Information" body is about quota rather than a refused key or a premium endpoint.
    static readonly string[] LimitPhrases =
        ["rate limit", "call frequency", "per minute", "per second", "per day", "requests per", "calls per", "burst"];

    /// <summary>
    /// Latest quotes for up to <see cref="MaxBulkSymbols"/> symbols in one call. Symbols the vendor does not know,
    /// or answers with unreadable numbers, are missing from the result.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, VendorQuote>> GetBulkQuotesAsync(
        IReadOnlyList<string> symbols, string apiKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var requested = symbols.Select(CheckSymbol).Distinct(StringComparer.Ordinal).ToList();
        if (requested.Count > MaxBulkSymbols)
            throw new ArgumentException($"At most {MaxBulkSymbols} symbols per bulk call, got {requested.Count}.", nameof(symbols));
        var result = new Dictionary<string, VendorQuote>(StringComparer.OrdinalIgnoreCase);
        if (requested.Count == 0)
            return result;

        const string operation = "AlphaVantage REALTIME_BULK_QUOTES";
        var query = "function=REALTIME_BULK_QUOTES&symbol=" + string.Join(',', requested.Select(Uri.EscapeDataString));
        using var json = await QueryAsync(query, apiKey, operation, ct);
        var root = json.RootElement;
        if (root.TryGetProperty("Error Message", out var error))
            throw Refused(operation, error, apiKey);

        if (!root.TryGetProperty("data", out var data))
        {
            // When no symbol is valid the vendor answers with only a message; that is an empty answer, not a failure.
            return root.TryGetProperty("message", out _) || root.TryGetProperty("endpoint", out _)
                ? result
                : throw VendorHttp.UnexpectedShape(operation, "no data");
        }
        if (data.ValueKind != JsonValueKind.Array)
            throw VendorHttp.UnexpectedShape(operation, "data is not an array");

        var wanted = requested.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in data.EnumerateArray())
        {
            if (VendorHttp.String(entry, "symbol")?.Trim().ToUpperInvariant() is not { Length: > 0 } symbol || !wanted.Contains(symbol))
                continue;
            if (VendorHttp.Decimal(entry, "close") is not { } price || price <= 0)
                continue;
            result[symbol] = new VendorQuote(
                symbol,
                price,
                Positive(VendorHttp.Decimal(entry, "previous_close")),
                Positive(VendorHttp.Decimal(entry, "open")),
                NewYorkTimestamp(VendorHttp.String(entry, "timestamp")));
        }
        return result;
    }

    /// <summary>The latest quote for one symbol, or null when the vendor does not know it. AsOf is always null: the answer carries only a date.</summary>
    public async Task<VendorQuote?> GetGlobalQuoteAsync(string symbol, string apiKey, CancellationToken ct)
    {
        symbol = CheckSymbol(symbol);
        var operation = $"AlphaVantage GLOBAL_QUOTE {symbol}";
        using var json = await QueryAsync($"function=GLOBAL_QUOTE&symbol={Uri.EscapeDataString(symbol)}", apiKey, operation, ct);
        var root = json.RootElement;
        if (root.TryGetProperty("Error Message", out var error))
            throw Refused(operation, error, apiKey);
        if (!root.TryGetProperty("Global Quote", out var quote) || quote.ValueKind != JsonValueKind.Object)
            throw VendorHttp.UnexpectedShape(operation, "no Global Quote");
        if (!quote.EnumerateObject().Any())
            return null;
        if (VendorHttp.Decimal(quote, "05. price") is not { } price || price <= 0)
            throw VendorHttp.UnexpectedShape(operation, "no price");

        return new VendorQuote(
            VendorHttp.String(quote, "01. symbol")?.Trim().ToUpperInvariant() is { Length: > 0 } answered ? answered : symbol,
            price,
            Positive(VendorHttp.Decimal(quote, "08. previous close")),
            Positive(VendorHttp.Decimal(quote, "02. open")),
            AsOf: null);
    }

    /// <summary>Daily bars in ascending date order (about 100 sessions, or the whole history when <paramref name="full"/>), or null for an unknown symbol.</summary>
    public async Task<IReadOnlyList<DailyBar>?> GetDailySeriesAsync(string symbol, bool full, string apiKey, CancellationToken ct)
    {
        symbol = CheckSymbol(symbol);
        var operation = $"AlphaVantage TIME_SERIES_DAILY {symbol}";
        var query = $"function=TIME_SERIES_DAILY&symbol={Uri.EscapeDataString(symbol)}&outputsize={(full ? "full" : "compact")}";
        using var json = await QueryAsync(query, apiKey, operation, ct);
        var root = json.RootElement;
        if (root.TryGetProperty("Error Message", out var error))
        {
            // The vendor's only way of saying "no such symbol" here; other errors (a bad key, say) read differently.
            return error.ValueKind == JsonValueKind.String && error.GetString()!.StartsWith("Invalid API call", StringComparison.OrdinalIgnoreCase)
                ? null
                : throw Refused(operation, error, apiKey);
        }
        if (!root.TryGetProperty("Time Series (Daily)", out var series) || series.ValueKind != JsonValueKind.Object)
            throw VendorHttp.UnexpectedShape(operation, "no Time Series (Daily)");

        var bars = new List<DailyBar>();
        foreach (var day in series.EnumerateObject())
        {
            if (!DateOnly.TryParseExact(day.Name, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw VendorHttp.UnexpectedShape(operation, "a date key is not a date");
            // One unreadable day should not cost the whole history; it is simply missing, like a holiday.
            if (VendorHttp.Decimal(day.Value, "1. open") is { } open
                && VendorHttp.Decimal(day.Value, "2. high") is { } high
                && VendorHttp.Decimal(day.Value, "3. low") is { } low
                && VendorHttp.Decimal(day.Value, "4. close") is { } close
                && day.Value.TryGetProperty("5. volume", out var volumeElement)
                && VendorHttp.Volume(volumeElement) is { } volume)
            {
                bars.Add(new DailyBar(date, open, high, low, close, volume));
            }
        }
        bars.Sort((a, b) => a.Date.CompareTo(b.Date));
        return bars;
    }

    /// <summary>Company facts, or null when the vendor does not know the symbol. "None" and "-" become null.</summary>
    public async Task<CompanyOverview?> GetOverviewAsync(string symbol, string apiKey, CancellationToken ct)
    {
        symbol = CheckSymbol(symbol);
        var operation = $"AlphaVantage OVERVIEW {symbol}";
        using var json = await QueryAsync($"function=OVERVIEW&symbol={Uri.EscapeDataString(symbol)}", apiKey, operation, ct);
        var root = json.RootElement;
        if (root.TryGetProperty("Error Message", out var error))
            throw Refused(operation, error, apiKey);
        if (!root.EnumerateObject().Any())
            return null;
        if (Present(VendorHttp.String(root, "Symbol")) is not { } answered)
            throw VendorHttp.UnexpectedShape(operation, "no Symbol");

        var marketCap = Present(VendorHttp.String(root, "MarketCapitalization")) is { } text
            && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var cap)
                ? cap
                : (decimal?)null;
        return new CompanyOverview(
            answered.ToUpperInvariant(),
            Present(VendorHttp.String(root, "Name")) ?? answered.ToUpperInvariant(),
            Present(VendorHttp.String(root, "Sector")),
            Present(VendorHttp.String(root, "Industry")),
            marketCap);
    }

    /// <summary>Sends the call and returns a JSON object body that is neither a throttle nor an "Information" refusal.</summary>
    async Task<JsonDocument> QueryAsync(string query, string apiKey, string operation, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        var response = await VendorHttp.GetAsync(http, $"query?{query}&apikey={Uri.EscapeDataString(apiKey)}", operation, ct);
        VendorHttp.ThrowIfFailed(response, operation);

        var json = VendorHttp.ParseJson(response, operation);
        try
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw VendorHttp.UnexpectedShape(operation, "not a JSON object");
            if (root.TryGetProperty("Note", out var note))
                throw new VendorThrottledException($"{operation}: throttled ({Describe(note, apiKey)}).");
            if (root.TryGetProperty("Information", out var information))
            {
                var text = Describe(information, apiKey);
                throw IsAboutLimits(text)
                    ? new VendorThrottledException($"{operation}: throttled ({text}).")
                    : new VendorErrorException($"{operation}: refused ({text}).", response.StatusCode);
            }
            return json;
        }
        catch
        {
            json.Dispose();
            throw;
        }
    }

    static bool IsAboutLimits(string information) =>
        LimitPhrases.Any(phrase => information.Contains(phrase, StringComparison.OrdinalIgnoreCase));

    static VendorErrorException Refused(string operation, JsonElement error, string apiKey) =>
        new($"{operation}: refused ({Describe(error, apiKey)}).", System.Net.HttpStatusCode.OK);

    /// <summary>The vendor's own words for a log line: shortened, and with the key blanked in case the vendor echoes it.</summary>
    static string Describe(JsonElement element, string apiKey)
    {
        var text = element.ValueKind == JsonValueKind.String ? element.GetString() ?? "" : element.GetRawText();
        text = text.Replace(apiKey, "***", StringComparison.Ordinal);
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    static string CheckSymbol(string symbol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        // A comma would split one symbol into two in the bulk call's list.
        if (symbol.Contains(',', StringComparison.Ordinal))
            throw new ArgumentException($"Not a symbol: '{symbol}'.", nameof(symbol));
        return symbol.Trim().ToUpperInvariant();
    }

    static decimal? Positive(decimal? value) => value > 0 ? value : null;

    static string? Present(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Trim() is "None" or "-" ? null : value.Trim();

    static DateTimeOffset? NewYorkTimestamp(string? text) =>
        text is not null && DateTime.TryParseExact(text.Trim(), TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wallClock)
            ? VendorHttp.FromNewYork(wallClock)
            : null;
}

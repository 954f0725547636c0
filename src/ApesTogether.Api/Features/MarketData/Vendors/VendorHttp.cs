using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ApesTogether.Api.Features.MarketData.Vendors;

/// <summary>A vendor's HTTP answer, fully read, so parsing never touches the network.</summary>
internal sealed record VendorResponse(HttpStatusCode StatusCode, TimeSpan? RetryAfter, byte[] Body)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;
}

/// <summary>Transport and parsing shared by the vendor clients, so every failure becomes a <see cref="VendorException"/>.</summary>
internal static class VendorHttp
{
    static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    // operation names the call in exception messages. Never pass the URL instead: it carries the API key.
    public static async Task<VendorResponse> GetAsync(HttpClient http, string relativeUri, string operation, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(relativeUri, UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return new VendorResponse(response.StatusCode, RetryAfter(response), body);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            // Our caller did not cancel, so this is HttpClient.Timeout: an outage like any other.
            throw new VendorErrorException($"{operation}: the vendor did not answer in time.", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            // The message of HttpRequestException names host and port at most, never the query string.
            throw new VendorErrorException($"{operation}: request failed ({ex.HttpRequestError}).", inner: ex);
        }
        catch (IOException ex)
        {
            throw new VendorErrorException($"{operation}: connection broke while reading the answer.", inner: ex);
        }
    }

    public static JsonDocument ParseJson(VendorResponse response, string operation)
    {
        try
        {
            return JsonDocument.Parse(response.Body);
        }
        catch (JsonException ex)
        {
            throw new VendorErrorException($"{operation}: the answer is not JSON.", response.StatusCode, ex);
        }
    }

    public static VendorErrorException UnexpectedShape(string operation, string what) =>
        new($"{operation}: unexpected answer ({what}).", HttpStatusCode.OK);

    /// <summary>Throws for statuses that carry no answer: 429 is a throttle, everything else an outage.</summary>
    public static void ThrowIfFailed(VendorResponse response, string operation)
    {
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            throw new VendorThrottledException($"{operation}: throttled (HTTP 429).", response.RetryAfter);
        if (!response.IsSuccess)
            throw new VendorErrorException($"{operation}: HTTP {(int)response.StatusCode}.", response.StatusCode);
    }

    static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta;
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>A decimal from a JSON string (AlphaVantage) or number (Yahoo); null when absent or unreadable.</summary>
    public static decimal? Decimal(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetDecimal(out var value) => value,
        JsonValueKind.String when decimal.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    public static decimal? Decimal(JsonElement parent, string property) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(property, out var element) ? Decimal(element) : null;

    /// <summary>Volumes arrive as "15560453", 15560453 or occasionally 1.5560453E7; all of them are whole shares.</summary>
    public static long? Volume(JsonElement element) =>
        Decimal(element) is { } value && value >= 0 && value == decimal.Truncate(value) && value <= long.MaxValue ? (long)value : null;

    public static string? String(JsonElement parent, string property) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(property, out var element) && element.ValueKind == JsonValueKind.String
            ? element.GetString()
            : null;

    public static DateOnly NewYorkDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, NewYork).DateTime);

    /// <summary>The instant of a New York wall-clock time. Times in the spring-forward gap get the standard offset rather than throwing.</summary>
    public static DateTimeOffset FromNewYork(DateTime wallClock)
    {
        var unspecified = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, NewYork.GetUtcOffset(unspecified));
    }

    public static DateTimeOffset NewYorkMidnight(DateOnly date) => FromNewYork(date.ToDateTime(TimeOnly.MinValue));
}

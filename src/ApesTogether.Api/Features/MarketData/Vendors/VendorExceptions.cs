using System.Net;

namespace ApesTogether.Api.Features.MarketData.Vendors;

/// <summary>
/// A vendor call that produced no usable answer. Callers catch this to fail over to the next provider;
/// anything else escaping a vendor client is a bug. Messages never contain the API key.
/// </summary>
public abstract class VendorException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The vendor refused the call because of a rate limit or quota. Retrying before <see cref="RetryAfter"/>
/// (when the vendor said) only spends budget.
/// </summary>
public sealed class VendorThrottledException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : VendorException(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>An outage, timeout, refused key or an answer we cannot read.</summary>
public sealed class VendorErrorException(string message, HttpStatusCode? statusCode = null, Exception? inner = null)
    : VendorException(message, inner)
{
    /// <summary>The HTTP status when the vendor answered with one we could not use; null for transport failures.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;
}

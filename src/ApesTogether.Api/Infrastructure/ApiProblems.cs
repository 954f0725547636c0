using Microsoft.AspNetCore.Http.HttpResults;

namespace ApesTogether.Api.Infrastructure;

/// <summary>Stable machine-readable error codes of API.md; clients switch on these, so they never change.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string MalformedRequest = "malformed_request";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string RateLimited = "rate_limited";
    public const string InternalError = "internal_error";
    public const string ServiceUnavailable = "service_unavailable";
    public const string EmailTaken = "email_taken";
    public const string UsernameTaken = "username_taken";
    public const string InvalidCredentials = "invalid_credentials";
    public const string InvalidRefreshToken = "invalid_refresh_token";
    public const string UnknownTicker = "unknown_ticker";
    public const string InsufficientShares = "insufficient_shares";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string QuoteUnavailable = "quote_unavailable";
    public const string OrderTooLarge = "order_too_large";
    public const string OrderTooSmall = "order_too_small";
    public const string TooManyHoldings = "too_many_holdings";
    public const string NotCancelable = "not_cancelable";
    public const string UserNotFound = "user_not_found";
    public const string InvalidPeriod = "invalid_period";
    public const string Conflict = "conflict";

    /// <summary>The code for a bare status answer (a 404 route miss, a 401 challenge) that no handler named.</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => MalformedRequest,
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => "payload_too_large",
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailable,
        >= 500 => InternalError,
        _ => "error",
    };
}

/// <summary>Builds the RFC 9457 answers of the API, each with its stable <c>code</c>.</summary>
public static class ApiProblem
{
    public static ProblemHttpResult Of(int status, string code, string title, string? detail = null,
        IEnumerable<KeyValuePair<string, object?>>? extensions = null)
    {
        var ext = new Dictionary<string, object?> { ["code"] = code };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                ext[key] = value;
            }
        }
        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: ext);
    }

    public static ProblemHttpResult Validation(string field, string message) =>
        Of(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "One or more validation errors occurred.", message,
            [new("errors", new Dictionary<string, string[]> { [field] = [message] })]);

    public static ProblemHttpResult NotFound(string code, string detail) =>
        Of(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static ProblemHttpResult Conflict(string code, string title, string? detail = null,
        IEnumerable<KeyValuePair<string, object?>>? extensions = null) =>
        Of(StatusCodes.Status409Conflict, code, title, detail, extensions);
}

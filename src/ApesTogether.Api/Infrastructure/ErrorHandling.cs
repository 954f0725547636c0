using ApesTogether.Api.Features.MarketData;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ApesTogether.Api.Infrastructure;

/// <summary>
/// Turns the few exceptions that mean something to a client into their problem answers;
/// everything else is a bug and stays a 500 with no internals in the body.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status400BadRequest
                ? ErrorCodes.MalformedRequest : ErrorCodes.ForStatus(bad.StatusCode), "The request could not be read.", Describe(bad)),
            QuoteUnavailableException q => (StatusCodes.Status503ServiceUnavailable, ErrorCodes.QuoteUnavailable,
                "No price is available right now.", q.Message),
            DbUpdateConcurrencyException => (StatusCodes.Status409Conflict, ErrorCodes.Conflict,
                "The resource changed while the request ran.", "Retry the request."),
            _ => (StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "An unexpected error occurred.", null),
        };
        if (status >= 500 && exception is not QuoteUnavailableException)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        if (exception is QuoteUnavailableException)
        {
            httpContext.Response.Headers.RetryAfter = "30";
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        });
    }

    // The framework's message names the parameter and the JSON path; the inner JsonException says what was wrong.
    static string Describe(BadHttpRequestException bad) =>
        bad.InnerException is System.Text.Json.JsonException json && json.Path is not null
            ? $"{bad.Message} Invalid JSON at '{json.Path}'."
            : bad.Message;
}

public static class ErrorHandlingSetup
{
    public static IHostApplicationBuilder AddApiErrorHandling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (!problem.Extensions.ContainsKey("code"))
            {
                problem.Extensions["code"] = problem is HttpValidationProblemDetails
                    ? ErrorCodes.ValidationFailed
                    : ErrorCodes.ForStatus(status);
            }
            problem.Detail ??= problem.Title;
            problem.Extensions["trace_id"] = context.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures become exceptions so the handler above can answer them with a code.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }
}

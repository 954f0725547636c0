using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace ApesTogether.Api.Infrastructure;

/// <summary>
/// A 200 response whose <typeparamref name="T"/> body was serialized once (with the API's JSON options) and is reused
/// while what it was computed from stands. OpenAPI still sees <typeparamref name="T"/> as the response type.
/// </summary>
public sealed class SerializedJson<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    readonly ReadOnlyMemory<byte> _utf8;

    SerializedJson(ReadOnlyMemory<byte> utf8) => _utf8 = utf8;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public ReadOnlyMemory<byte> Utf8 => _utf8;

    public static SerializedJson<T> From(T value, JsonSerializerOptions options) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, options));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.ContentLength = _utf8.Length;
        return httpContext.Response.Body.WriteAsync(_utf8).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}

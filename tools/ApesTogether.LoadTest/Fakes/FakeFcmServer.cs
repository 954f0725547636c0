using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApesTogether.LoadTest.Fakes;

/// <summary>How the fake answers one send for a device token.</summary>
public enum FakeFcmAnswer { Success, Unregistered, InvalidToken, TooManyRequests, Unavailable, Unauthorized }

/// <summary>A message FCM accepted.</summary>
public sealed record FcmDelivery(string Token, string Title, string Body, IReadOnlyDictionary<string, string> Data, DateTimeOffset ReceivedAt, JsonObject Message);

/// <summary>
/// Google's OAuth token endpoint and FCM HTTP v1 on a real loopback port. It owns a generated RSA key and writes the
/// matching service-account JSON (token_uri pointing here) for the sender to load. The token endpoint accepts only a
/// JWT-bearer grant whose assertion is signed RS256 by that key, for the service account, this endpoint and the FCM
/// scope; the send endpoint accepts only tokens it issued, on the right project path, with a well-formed message.
/// Answers can be scripted per device token; every accepted message and every refusal is recorded.
/// </summary>
public sealed class FakeFcmServer : IAsyncDisposable
{
    public const string ProjectId = "apes-test";
    public const string ClientEmail = "push@apes-test.iam.gserviceaccount.com";
    public const string KeyId = "test-key-1";
    const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    readonly WebApplication _app;
    readonly RSA _key = RSA.Create(2048);
    readonly string? _directory;
    readonly ConcurrentDictionary<string, bool> _accessTokens = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, ConcurrentQueue<FakeFcmAnswer>> _scripts = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<FcmDelivery> _delivered = new();
    readonly ConcurrentQueue<string> _refusals = new();
    readonly ConcurrentQueue<string> _attempts = new();
    int _tokensIssued;
    long _retryAfterSeconds = 1;
    volatile bool _outage;

    FakeFcmServer(WebApplication app, Uri baseAddress, string? serviceAccountFile)
    {
        _app = app;
        BaseAddress = baseAddress;
        if (serviceAccountFile is null)
        {
            _directory = Directory.CreateTempSubdirectory("apes-fcm-").FullName;
            serviceAccountFile = Path.Combine(_directory, "service-account.json");
        }
        ServiceAccountFile = serviceAccountFile;
        File.WriteAllText(ServiceAccountFile, new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = ProjectId,
            ["private_key_id"] = KeyId,
            ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = ClientEmail,
            ["client_id"] = "1234567890",
            ["token_uri"] = TokenUri.AbsoluteUri,
        }.ToJsonString());
    }

    /// <param name="port">0 for a free port.</param>
    /// <param name="serviceAccountFile">Where to write the service-account JSON; by default a temporary directory removed on dispose.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<FakeFcmServer> StartAsync(int port = 0, string? serviceAccountFile = null, CancellationToken cancellationToken = default)
    {
        FakeFcmServer? server = null;
        var (app, address) = await LoopbackServer.StartAsync(context => server!.HandleAsync(context), cancellationToken, port);
        server = new FakeFcmServer(app, address, serviceAccountFile);
        return server;
    }

    /// <summary><c>http://127.0.0.1:{port}/</c>: the FCM base URL.</summary>
    public Uri BaseAddress { get; }

    public Uri TokenUri => new(BaseAddress, "token");

    /// <summary>The generated service-account JSON (a key made for this run; no secret of anyone's).</summary>
    public string ServiceAccountFile { get; }

    /// <summary>Settings that point the service at this fake.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Notifications:Sender"] = "Fcm",
        ["Notifications:Fcm:ServiceAccountFile"] = ServiceAccountFile,
        ["Notifications:Fcm:BaseUrl"] = BaseAddress.AbsoluteUri,
    };

    public IReadOnlyList<FcmDelivery> Delivered => [.. _delivered];

    public IReadOnlyList<FcmDelivery> To(string token) => [.. _delivered.Where(d => d.Token == token)];

    /// <summary>Requests the fake turned away for being malformed (bad grant, bad path, bad body); a correct client causes none.</summary>
    public IReadOnlyList<string> Refusals => [.. _refusals];

    /// <summary>The device token of every send request, whatever the answer.</summary>
    public IReadOnlyList<string> SendAttempts => [.. _attempts];

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Every send answers 503 while this is on (scripts are not consumed).</summary>
    public bool Outage { get => _outage; set => _outage = value; }

    /// <summary>Sent with 429 and 503 answers.</summary>
    public TimeSpan RetryAfter
    {
        get => TimeSpan.FromSeconds(Interlocked.Read(ref _retryAfterSeconds));
        set => Interlocked.Exchange(ref _retryAfterSeconds, (long)value.TotalSeconds);
    }

    /// <summary>The next sends to this device token get these answers, in order; after them, success.</summary>
    public void Script(string token, params FakeFcmAnswer[] answers)
    {
        var queue = _scripts.GetOrAdd(token, _ => new ConcurrentQueue<FakeFcmAnswer>());
        foreach (var answer in answers)
        {
            queue.Enqueue(answer);
        }
    }

    /// <summary>Makes every access token issued so far invalid, as when Google revokes or expires them early.</summary>
    public void RevokeAccessTokens()
    {
        foreach (var token in _accessTokens.Keys)
        {
            _accessTokens[token] = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path == "/token" && HttpMethods.IsPost(context.Request.Method))
        {
            await TokenAsync(context);
        }
        else if (HttpMethods.IsPost(context.Request.Method) && path.StartsWith("/v1/projects/", StringComparison.Ordinal) && path.EndsWith("/messages:send", StringComparison.Ordinal))
        {
            await SendAsync(context, path["/v1/projects/".Length..^"/messages:send".Length]);
        }
        else
        {
            await RefuseAsync(context, 404, "NOT_FOUND", $"no route {context.Request.Method} {path}");
        }
    }

    async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            await TokenErrorAsync(context, $"grant_type {form["grant_type"]}");
            return;
        }
        if (CheckAssertion(form["assertion"].ToString()) is { } problem)
        {
            await TokenErrorAsync(context, problem);
            return;
        }
        var accessToken = "ya29.fake-" + Guid.NewGuid().ToString("N");
        _accessTokens[accessToken] = true;
        Interlocked.Increment(ref _tokensIssued);
        await Write(context, 200, new JsonObject { ["access_token"] = accessToken, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    /// <summary>The reason the assertion is refused, or null when it is good.</summary>
    string? CheckAssertion(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
            return "assertion is not a JWS";
        try
        {
            var header = JsonNode.Parse(Base64Url(parts[0]))!.AsObject();
            var claims = JsonNode.Parse(Base64Url(parts[1]))!.AsObject();
            if ((string?)header["alg"] != "RS256" || (string?)header["kid"] != KeyId)
                return $"header {header.ToJsonString()}";
            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                return "bad signature";
            if ((string?)claims["iss"] != ClientEmail)
                return $"iss {claims["iss"]}";
            // RFC 7523 and Google's other client libraries put token_uri in aud; Google.Apis.Auth 1.78 posts to token_uri
            // but always names Google's token endpoint as the audience. Either is this server; anything else is not.
            if ((string?)claims["aud"] is not { } audience || (audience != TokenUri.AbsoluteUri && audience != GoogleTokenAudience))
                return $"aud {claims["aud"]}";
            if (!((string?)claims["scope"] ?? "").Split(' ').Contains(Scope))
                return $"scope {claims["scope"]}";
            var issued = (long?)claims["iat"];
            var expires = (long?)claims["exp"];
            // The sender signs with the service's (possibly fake) clock, so only the lifetime is checked, not the wall clock.
            if (issued is null || expires is null || expires <= issued || expires - issued > 3600)
                return $"iat {issued} exp {expires}";
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return $"unreadable assertion: {ex.GetType().Name}";
        }
    }

    Task TokenErrorAsync(HttpContext context, string reason)
    {
        _refusals.Enqueue("token: " + reason);
        return Write(context, 400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = reason });
    }

    async Task SendAsync(HttpContext context, string project)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || !_accessTokens.TryGetValue(authorization["Bearer ".Length..], out var valid) || !valid)
        {
            await Write(context, 401, Error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED", null));
            return;
        }
        if (project != ProjectId)
        {
            await RefuseAsync(context, 403, "PERMISSION_DENIED", $"project {project}");
            return;
        }
        JsonObject message;
        try
        {
            message = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!["message"]!.AsObject();
        }
        catch (Exception ex) when (ex is JsonException or NullReferenceException or InvalidOperationException)
        {
            await RefuseAsync(context, 400, "INVALID_ARGUMENT", "body is not {\"message\":{…}}");
            return;
        }
        if (Shape(message) is { } problem)
        {
            await RefuseAsync(context, 400, "INVALID_ARGUMENT", problem);
            return;
        }
        var token = (string)message["token"]!;
        _attempts.Enqueue(token);
        if (Outage)
        {
            await Write(context, 503, Error(503, "The service is currently unavailable.", "UNAVAILABLE", "UNAVAILABLE"), RetryAfter);
            return;
        }
        var answer = _scripts.TryGetValue(token, out var script) && script.TryDequeue(out var scripted) ? scripted : FakeFcmAnswer.Success;
        switch (answer)
        {
            case FakeFcmAnswer.Success:
                var notification = message["notification"]!;
                var data = message["data"]?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal) ?? [];
                _delivered.Enqueue(new FcmDelivery(token, (string)notification["title"]!, (string)notification["body"]!, data, DateTimeOffset.UtcNow, message));
                await Write(context, 200, new JsonObject { ["name"] = $"projects/{ProjectId}/messages/{Guid.NewGuid():N}" });
                break;
            case FakeFcmAnswer.Unregistered:
                await Write(context, 404, Error(404, "Requested entity was not found.", "NOT_FOUND", "UNREGISTERED"));
                break;
            case FakeFcmAnswer.InvalidToken:
                var invalid = Error(400, "The registration token is not a valid FCM registration token", "INVALID_ARGUMENT", "INVALID_ARGUMENT");
                invalid["error"]!["details"]!.AsArray().Add(new JsonObject
                {
                    ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                    ["fieldViolations"] = new JsonArray(new JsonObject { ["field"] = "message.token", ["description"] = "Invalid registration token" }),
                });
                await Write(context, 400, invalid);
                break;
            case FakeFcmAnswer.TooManyRequests:
                await Write(context, 429, Error(429, "Quota exceeded for the device.", "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), RetryAfter);
                break;
            case FakeFcmAnswer.Unavailable:
                await Write(context, 503, Error(503, "The service is currently unavailable.", "UNAVAILABLE", "UNAVAILABLE"), RetryAfter);
                break;
            case FakeFcmAnswer.Unauthorized:
                await Write(context, 401, Error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED", null));
                break;
        }
    }

    /// <summary>What is wrong with the message, or null: the parts of FCM's v1 schema the sender uses.</summary>
    static string? Shape(JsonObject message)
    {
        if (message["token"] is not JsonValue token || token.GetValueKind() != JsonValueKind.String || ((string)token!).Length == 0)
            return "message.token";
        if (message["notification"] is not JsonObject notification
            || notification["title"]?.GetValueKind() != JsonValueKind.String || notification["body"]?.GetValueKind() != JsonValueKind.String)
            return "message.notification.title/body";
        if (message["data"] is JsonObject data && data.Any(p => p.Value?.GetValueKind() != JsonValueKind.String))
            return "message.data values must be strings";
        if ((string?)message["android"]?["priority"] != "high")
            return "message.android.priority";
        if ((string?)message["apns"]?["headers"]?["apns-priority"] != "10")
            return "message.apns.headers.apns-priority";
        return null;
    }

    Task RefuseAsync(HttpContext context, int status, string code, string reason)
    {
        _refusals.Enqueue($"{context.Request.Path}: {reason}");
        return Write(context, status, Error(status, $"Invalid request: {reason}", code, null));
    }

    /// <summary>Google's error body, with an FcmError detail when <paramref name="errorCode"/> is given.</summary>
    public static JsonObject Error(int code, string message, string status, string? errorCode)
    {
        var details = new JsonArray();
        if (errorCode is not null)
        {
            details.Add(new JsonObject { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = errorCode });
        }
        return new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status, ["details"] = details } };
    }

    static async Task Write(HttpContext context, int status, JsonObject body, TimeSpan? retryAfter = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        if (retryAfter is { } wait)
            context.Response.Headers.RetryAfter = ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}

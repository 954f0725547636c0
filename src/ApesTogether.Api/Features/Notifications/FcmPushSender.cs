using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.Notifications;

/// <summary>The fields of a Google service-account JSON that the FCM sender needs.</summary>
public sealed record ServiceAccountKey(string ClientEmail, string PrivateKey, string? PrivateKeyId, string? ProjectId, string TokenUri)
{
    /// <summary>Reads and checks the file; the message says what is wrong without quoting the key.</summary>
    public static bool TryLoad(string? path, out ServiceAccountKey? key, out string? error)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "Notifications:Fcm:ServiceAccountFile is not set.";
            return false;
        }
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (Text("type") != "service_account" || Text("client_email") is not { Length: > 0 } email || Text("private_key") is not { Length: > 0 } privateKey)
            {
                error = $"{path} is not a service-account key (type service_account with client_email and private_key).";
                return false;
            }
            using (var rsa = RSA.Create())
            {
                rsa.ImportFromPem(privateKey);
            }
            var tokenUri = Text("token_uri") is { Length: > 0 } uri ? uri : GoogleAuthConsts.OidcTokenUrl;
            if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http"))
            {
                error = $"{path}: token_uri is not an http(s) URL.";
                return false;
            }
            key = new ServiceAccountKey(email, privateKey, Text("private_key_id"), Text("project_id"), tokenUri);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or ArgumentException or CryptographicException)
        {
            error = $"Cannot read the service account {path}: {ex.GetType().Name}.";
            return false;
        }
    }
}

/// <summary>Fails the start when FCM is chosen without a usable service account or project.</summary>
public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        if (!options.UsesFcm)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options.Fcm, new ValidationContext(options.Fcm), errors, validateAllProperties: true);
        var failures = errors.Select(e => $"Notifications:Fcm: {e.ErrorMessage}").ToList();
        if (!ServiceAccountKey.TryLoad(options.Fcm.ServiceAccountFile, out var key, out var error))
        {
            failures.Add(error!);
        }
        else if (string.IsNullOrEmpty(options.Fcm.ProjectId ?? key!.ProjectId))
        {
            failures.Add("Notifications:Fcm:ProjectId is not set and the service account has no project_id.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// FCM HTTP v1: one <c>messages:send</c> request per device. The service account's OAuth2 access token comes from
/// Google.Apis.Auth (cached, refreshed before expiry, fetched from the key's <c>token_uri</c>) through our own
/// IHttpClientFactory handlers and clock. Retries 429/5xx/network failures inside the call while the wait is short;
/// a longer wait goes back to <see cref="NotificationSender"/> as <see cref="PushStatus.Transient"/> with the wait.
/// </summary>
public sealed class FcmPushSender : IPushSender
{
    public const string HttpClientName = "fcm";
    public const string TokenHttpClientName = "fcm-oauth";
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    /// <summary>The longest Retry-After we pass on; the notification sender's own backoff stops at the same 5 minutes.</summary>
    static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    readonly System.Net.Http.IHttpClientFactory _http;
    readonly TimeProvider _clock;
    readonly FcmOptions _options;
    readonly ServiceAccountCredential _credential;
    readonly Uri _sendUri;
    readonly SemaphoreSlim _refresh = new(1, 1);

    public FcmPushSender(System.Net.Http.IHttpClientFactory http, IHttpMessageHandlerFactory handlers, IOptions<NotificationOptions> options, TimeProvider clock)
    {
        _http = http;
        _clock = clock;
        _options = options.Value.Fcm;
        if (!ServiceAccountKey.TryLoad(_options.ServiceAccountFile, out var key, out var error))
        {
            throw new InvalidOperationException(error);
        }
        // Built by hand rather than from GoogleCredential so that the token requests use our handler pipeline and
        // clock, and leave retrying to us. The library posts the signed assertion to TokenServerUrl (the key's
        // token_uri), though the JWT's audience stays Google's own token URL.
        var initializer = new ServiceAccountCredential.Initializer(key!.ClientEmail, key.TokenUri)
        {
            ProjectId = key.ProjectId,
            KeyId = key.PrivateKeyId,
            Scopes = [Scope],
            Clock = new GoogleClock(clock),
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
            HttpClientFactory = new HttpClientFromMessageHandlerFactory(_ => new HttpClientFromMessageHandlerFactory.ConfiguredHttpMessageHandler(
                handlers.CreateHandler(TokenHttpClientName), false, false)),
        };
        _credential = new ServiceAccountCredential(initializer.FromPrivateKey(key.PrivateKey));
        _credential.HttpClient.Timeout = _options.Timeout;
        var project = _options.ProjectId ?? key.ProjectId;
        _sendUri = new Uri(BaseAddress(_options.BaseUrl), $"v1/projects/{Uri.EscapeDataString(project!)}/messages:send");
    }

    public static Uri BaseAddress(string url) => new(url.EndsWith('/') ? url : url + "/");

    public async Task<PushResult> SendAsync(PushMessage message, CancellationToken ct)
    {
        var body = Body(message);
        var client = _http.CreateClient(HttpClientName);
        var refreshed = false;
        string? accessToken = null;
        for (var attempt = 1; ; attempt++)
        {
            Outcome outcome;
            try
            {
                accessToken ??= await _credential.GetAccessTokenForRequestAsync(cancellationToken: ct);
                using var request = new HttpRequestMessage(HttpMethod.Post, _sendUri) { Content = JsonContent.Create(body) };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
                using var response = await client.SendAsync(request, ct);
                outcome = await ClassifyAsync(response, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Network failures, timeouts (HttpClient's own), failed token requests: worth another try.
                outcome = new Outcome(PushStatus.Transient, $"{ex.GetType().Name}: {ex.Message}", Retry: true, RetryAfter: null);
            }

            if (outcome.Unauthorized && !refreshed && attempt < _options.MaxAttempts)
            {
                refreshed = true;
                accessToken = await RefreshAsync(accessToken, ct);
                continue;
            }
            if (!outcome.Retry)
            {
                return new PushResult(outcome.Status, outcome.Error is null ? null : $"{outcome.Error} (attempt {attempt})", Attempts: attempt);
            }
            var wait = outcome.RetryAfter ?? _options.RetryDelay * Math.Pow(2, attempt - 1);
            if (attempt >= _options.MaxAttempts || wait > _options.MaxRetryWait)
            {
                return new PushResult(PushStatus.Transient, $"{outcome.Error} (after {attempt} attempts)", outcome.RetryAfter, attempt);
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _clock, ct);
            }
        }
    }

    /// <summary>Gets a new token unless another send already replaced the rejected one.</summary>
    async Task<string?> RefreshAsync(string? rejected, CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            if (_credential.Token?.AccessToken is { } current && current != rejected)
            {
                return current;
            }
            await _credential.RequestAccessTokenAsync(ct);
            return _credential.Token?.AccessToken;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            return null; // the next attempt asks the library, which tries again
        }
        finally
        {
            _refresh.Release();
        }
    }

    sealed record Outcome(PushStatus Status, string? Error, bool Retry, TimeSpan? RetryAfter, bool Unauthorized = false);

    async Task<Outcome> ClassifyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return new Outcome(PushStatus.Accepted, null, Retry: false, RetryAfter: null);
        }
        var error = await ReadErrorAsync(response, ct);
        var text = $"HTTP {status} {error.Status ?? response.ReasonPhrase}{(error.ErrorCode is null ? "" : " " + error.ErrorCode)}";
        if (status is 429 or 500 or 502 or 503 or 504)
        {
            return new Outcome(PushStatus.Transient, text, Retry: true, RetryAfter(response));
        }
        if (status == 401)
        {
            return new Outcome(PushStatus.Transient, text, Retry: false, RetryAfter: null, Unauthorized: true);
        }
        var tokenGone = error.ErrorCode == "UNREGISTERED"
            || (status == 404 && error.Status == "NOT_FOUND")
            || (status == 400 && error.Status == "INVALID_ARGUMENT" && error.AboutToken);
        // Anything else (403 sender mismatch, a malformed message, quota) is not the device's fault: keep the token.
        return new Outcome(tokenGone ? PushStatus.TokenInvalid : PushStatus.Transient, text, Retry: false, RetryAfter: null);
    }

    sealed record FcmError(string? Status, string? ErrorCode, bool AboutToken);

    /// <summary>Google's error body: <c>{"error":{"code","message","status","details":[{"errorCode"}|{"fieldViolations":[{"field"}]}]}}</c>.</summary>
    static async Task<FcmError> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var root = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
            if (root?["error"] is not JsonObject error)
            {
                return new FcmError(null, null, false);
            }
            var details = error["details"] as JsonArray ?? [];
            var errorCode = details.OfType<JsonObject>().Select(d => d["errorCode"]?.GetValueKind() == JsonValueKind.String ? (string?)d["errorCode"] : null)
                .FirstOrDefault(c => c is not null);
            var fields = details.OfType<JsonObject>().SelectMany(d => d["fieldViolations"] as JsonArray ?? [])
                .OfType<JsonObject>().Select(v => v["field"]?.GetValueKind() == JsonValueKind.String ? (string?)v["field"] : null);
            var message = error["message"]?.GetValueKind() == JsonValueKind.String ? (string?)error["message"] : null;
            var aboutToken = fields.Any(f => f == "message.token")
                || (message?.Contains("registration token", StringComparison.OrdinalIgnoreCase) ?? false);
            var status = error["status"]?.GetValueKind() == JsonValueKind.String ? (string?)error["status"] : null;
            return new FcmError(status, errorCode, aboutToken);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return new FcmError(null, null, false); // an HTML error page from a proxy says nothing about the token
        }
    }

    TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - _clock.GetUtcNow() : null);
        return wait is null ? null : TimeSpan.FromTicks(Math.Clamp(wait.Value.Ticks, 0, MaxRetryAfter.Ticks));
    }

    static JsonObject Body(PushMessage message)
    {
        var data = new JsonObject();
        foreach (var (key, value) in message.Data)
        {
            data[key] = value;
        }
        return new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["token"] = message.Token,
                ["notification"] = new JsonObject { ["title"] = message.Title, ["body"] = message.Body },
                ["data"] = data,
                ["android"] = new JsonObject { ["priority"] = "high" },
                ["apns"] = new JsonObject { ["headers"] = new JsonObject { ["apns-priority"] = "10" } },
            },
        };
    }

    /// <summary>The library's token expiry follows our clock (a fake one in tests).</summary>
    sealed class GoogleClock(TimeProvider clock) : Google.Apis.Util.IClock
    {
        public DateTime Now => clock.GetLocalNow().DateTime;
        public DateTime UtcNow => clock.GetUtcNow().UtcDateTime;
    }

    /// <summary>Registers both HTTP clients; the sender itself is created only when <c>Notifications:Sender</c> is <c>Fcm</c>.</summary>
    public static void AddHttpClients(IServiceCollection services)
    {
        // No HttpClient logging on either: one push is four log lines at 10,000 pushes a batch, and the token
        // request carries the signed assertion. NotificationSender logs every send.
        services.AddHttpClient(HttpClientName, (sp, http) =>
        {
            var fcm = sp.GetRequiredService<IOptions<NotificationOptions>>().Value.Fcm;
            http.Timeout = fcm.Timeout;
            // HTTP/2 to FCM multiplexes the parallel sends; plain-http test servers get HTTP/1.1.
            http.DefaultRequestVersion = System.Net.HttpVersion.Version20;
            http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();
        services.AddHttpClient(TokenHttpClientName).RemoveAllLoggers();
        services.AddSingleton<FcmPushSender>();
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ApesTogether.IntegrationTests.Infrastructure;

namespace ApesTogether.IntegrationTests;

/// <summary>
/// Every endpoint fed malformed JSON, wrong types, missing fields, zero/negative/huge/over-precise numbers,
/// unknown tickers, overlong and odd Unicode strings: always a 4xx problem with a code, never a 5xx.
/// </summary>
public sealed class BadInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    static readonly string Huge = new('A', 100_000);

    public static TheoryData<string, string> BadBodies => new()
    {
        // Malformed and wrongly shaped JSON, for every endpoint with a body.
        { "/api/v1/auth/register", "" },
        { "/api/v1/auth/register", "{" },
        { "/api/v1/auth/register", "[]" },
        { "/api/v1/auth/register", "null" },
        { "/api/v1/auth/register", "\"text\"" },
        { "/api/v1/auth/login", "{\"email\":" },
        { "/api/v1/auth/login", "{\"email\": 5, \"password\": []}" },
        { "/api/v1/auth/refresh", "{}" },
        { "/api/v1/auth/refresh", "{\"refresh_token\": {\"nested\": true}}" },
        { "/api/v1/auth/logout", "{\"refresh_token\": null}" },
        { "/api/v1/trade", "" },
        { "/api/v1/trade", "{" },
        { "/api/v1/trade", "[1,2]" },
        { "/api/v1/trade", "{}" },
        // Wrong types.
        { "/api/v1/trade", "{\"ticker\": 5, \"quantity\": 1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": \"1\", \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": true, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1, \"action\": 1}" },
        { "/api/v1/trade", "{\"ticker\": null, \"quantity\": 1, \"action\": \"buy\"}" },
        // Missing fields.
        { "/api/v1/trade", "{\"quantity\": 1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1}" },
        // Zero, negative, huge and over-precise numbers.
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 0, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": -1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": -0.000001, \"action\": \"sell\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1e400, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 79228162514264337593543950336, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1000000.000001, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1e20, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1.0000001, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1e-7, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": NaN, \"action\": \"buy\"}" },
        // Unknown tickers, overlong and odd Unicode strings.
        { "/api/v1/trade", "{\"ticker\": \"ZZZZ\", \"quantity\": 1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"" + Huge + "\", \"quantity\": 1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"ＡＡＰＬ\", \"quantity\": 1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\\u0000\", \"quantity\": 1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"🦍\", \"quantity\": 1, \"action\": \"buy\"}" },
        { "/api/v1/trade", "{\"ticker\": \"AAPL\", \"quantity\": 1, \"action\": \"BUY\\u202e\"}" },
        { "/api/v1/auth/register", "{\"email\": \"" + Huge + "@x.io\", \"password\": \"long enough\", \"username\": \"huge_email\"}" },
        { "/api/v1/auth/register", "{\"email\": \"a@b.io\", \"password\": \"short\", \"username\": \"short_pw\"}" },
        { "/api/v1/auth/register", "{\"email\": \"a@b.io\", \"password\": \"" + Huge + "\", \"username\": \"long_pw\"}" },
        { "/api/v1/auth/register", "{\"email\": \"not-an-email\", \"password\": \"long enough\", \"username\": \"bad_email\"}" },
        { "/api/v1/auth/register", "{\"email\": \"u@b.io\", \"password\": \"long enough\", \"username\": \"ñandú\"}" },
        { "/api/v1/auth/register", "{\"email\": \"u@b.io\", \"password\": \"long enough\", \"username\": \"ab\"}" },
        { "/api/v1/auth/register", "{\"email\": \"u@b.io\", \"password\": \"long enough\", \"username\": \"" + Huge + "\"}" },
        { "/api/v1/auth/register", "{\"email\": \"u@b.io\", \"password\": \"long enough\", \"username\": \"nul_name\", \"display_name\": \"a\\u0000b\"}" },
        { "/api/v1/auth/register", "{\"email\": \"u@b.io\", \"password\": \"long enough\", \"username\": \"surrogate\", \"display_name\": \"\\ud800x\"}" },
        { "/api/v1/auth/register", "{\"email\": \"u@b.io\", \"password\": \"long enough\", \"username\": \"long_name\", \"display_name\": \"" + Huge + "\"}" },
        { "/api/v1/auth/register", "{\"email\": \"u@b.io\", \"password\": \"long enough\", \"username\": \"bad_tz\", \"time_zone\": \"../../etc/passwd\"}" },
        { "/api/v1/auth/login", "{\"email\": \"" + Huge + "\", \"password\": \"x\"}" },
        { "/api/v1/auth/refresh", "{\"refresh_token\": \"" + Huge + "\"}" },
        { "/api/v1/auth/refresh", "{\"refresh_token\": \"\\ud800\"}" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_gets_a_4xx_problem_never_a_5xx(string path, string json)
    {
        var user = await api.RegisterAsync();

        var response = await user.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        await AssertClientErrorAsync(response);
    }

    [Theory]
    [InlineData("/api/v1/portfolio/transactions?limit=abc")]
    [InlineData("/api/v1/portfolio/transactions?limit=99999999999")]
    [InlineData("/api/v1/portfolio/transactions?before=1e9")]
    [InlineData("/api/v1/portfolio/transactions?before=99999999999999999999999")]
    [InlineData("/api/v1/portfolio/public/%01")]
    [InlineData("/api/v1/portfolio/public/%F0%9F%A6%8D%F0%9F%A6%8D")]
    [InlineData("/api/v1/portfolio/public/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("/api/v1/stocks/%01/quote")]
    [InlineData("/api/v1/stocks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/quote")]
    [InlineData("/api/v1/stocks/%E2%80%AE/quote")]
    [InlineData("/api/v1/market/calendar?from=%00")]
    [InlineData("/api/v1/market/calendar?from=99999-01-01")]
    [InlineData("/api/v1/market/calendar?from=0001-01-01&to=0001-01-02")]
    public async Task A_bad_query_or_path_gets_a_4xx_problem(string url)
    {
        var user = await api.RegisterAsync();

        var response = await user.Client.Get(url);

        await AssertClientErrorAsync(response);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999999999999999999999")]
    [InlineData("-1")]
    [InlineData("0")]
    public async Task Canceling_a_nonsense_pending_id_is_404(string id)
    {
        var user = await api.RegisterAsync();

        var response = await user.Client.DeleteAsync($"/api/v1/portfolio/pending-trades/{id}", TestContext.Current.CancellationToken);

        await AssertClientErrorAsync(response);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415()
    {
        var user = await api.RegisterAsync();

        var response = await user.Client.PostAsync("/api/v1/trade", new StringContent("ticker=AAPL", Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);

        await AssertClientErrorAsync(response);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_body_gets_400()
    {
        var user = await api.RegisterAsync();
        var bytes = Encoding.UTF8.GetBytes("{\"ticker\": \"AA\", \"quantity\": 1, \"action\": \"buy\"}");
        bytes[13] = 0xFF;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await user.Client.PostAsync("/api/v1/trade", content, TestContext.Current.CancellationToken);

        await AssertClientErrorAsync(response);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789-too-long")]
    public async Task A_bad_idempotency_key_is_a_validation_error(string key)
    {
        var user = await api.RegisterAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trade") { Content = System.Net.Http.Json.JsonContent.Create(new { ticker = "AAPL", quantity = 1, action = "buy" }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await user.Client.SendAsync(request, TestContext.Current.CancellationToken);

        if (key.Length == 0)
        {
            // An empty header is the same as no header: the trade goes through.
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return;
        }
        await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    static async Task AssertClientErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"Expected a 4xx, got {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)problem["code"]));
        Assert.Equal((int)response.StatusCode, (int)problem["status"]!);
    }
}

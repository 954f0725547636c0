using ApesTogether.Api.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace ApesTogether.Tests.Infrastructure;

public sealed class ValidationTests
{
    [Theory]
    [InlineData("Ada Lovelace", true)]
    [InlineData("Zoë 🦍 Ape", true)]
    [InlineData("tab\there", false)]
    [InlineData("nul\0", false)]
    [InlineData("line\u2028break", false)]
    public void Plain_text_refuses_control_characters_and_broken_surrogates(string value, bool expected)
    {
        Assert.Equal(expected, PlainTextAttribute.IsPlain(value));
    }

    [Fact]
    public void Plain_text_refuses_lone_surrogates_but_keeps_pairs()
    {
        // Built from chars: test data in attributes would be re-encoded and lose the lone surrogates.
        var loneHigh = "lone " + (char)0xD800 + " high";
        var loneLow = "lone " + (char)0xDC00 + " low";
        var endsHigh = "ends high " + (char)0xD83E;
        var pair = "ape " + (char)0xD83E + (char)0xDD8D;

        Assert.False(PlainTextAttribute.IsPlain(loneHigh));
        Assert.False(PlainTextAttribute.IsPlain(loneLow));
        Assert.False(PlainTextAttribute.IsPlain(endsHigh));
        Assert.True(PlainTextAttribute.IsPlain(pair));
    }

    [Theory]
    [InlineData("America/New_York", true)]
    [InlineData("Europe/London", true)]
    [InlineData("UTC", true)]
    [InlineData("Mars/Olympus", false)]
    [InlineData("../../etc/passwd", false)]
    public void Time_zones_must_be_known_iana_ids(string id, bool expected)
    {
        Assert.Equal(expected, new IanaTimeZoneAttribute().IsValid(id));
    }

    [Theory]
    [InlineData("1.123456", true)]
    [InlineData("1.1234560", true)]
    [InlineData("1.1234567", false)]
    [InlineData("100", true)]
    public void Decimal_places_are_counted_without_trailing_zeros(string value, bool expected)
    {
        var number = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, new MaxDecimalPlacesAttribute(6).IsValid(number));
    }

    [Theory]
    [InlineData(null, true, true, true)]
    [InlineData("", true, true, true)]
    [InlineData("api", true, false, false)]
    [InlineData(" Worker , scheduler ", false, true, true)]
    public void Roles_parse_from_configuration(string? raw, bool api, bool worker, bool scheduler)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Roles"] = raw }).Build();

        var roles = HostRoles.From(configuration);

        Assert.Equal(new HostRoles(api, worker, scheduler), roles);
    }

    [Fact]
    public void An_unknown_role_is_refused()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Roles"] = "api,chef" }).Build();

        Assert.Throws<InvalidOperationException>(() => HostRoles.From(configuration));
    }
}

public sealed class RangeAttributeTests
{
    [Fact]
    public void Decimal_and_time_span_ranges_validate_safely_from_many_threads()
    {
        var quantity = new DecimalRangeAttribute("0.000001", "1000000");
        var lifetime = new TimeSpanRangeAttribute("00:01:00", "1.00:00:00");

        var results = Enumerable.Range(0, 2_000).AsParallel().Select(i => (
            quantity.IsValid(i % 2 == 0 ? 1m : 0m),
            lifetime.IsValid(i % 2 == 0 ? TimeSpan.FromMinutes(15) : TimeSpan.FromDays(2)),
            i % 2 == 0)).ToList();

        Assert.All(results, r => Assert.Equal((r.Item3, r.Item3), (r.Item1, r.Item2)));
    }
}

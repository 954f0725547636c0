using ApesTogether.Api.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace ApesTogether.Tests.Infrastructure;

public sealed class ClockSetupTests
{
    static IConfiguration Config(string? startAt) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ClockSetup.StartAtKey] = startAt }).Build();

    [Fact]
    public void Without_a_start_the_service_uses_the_system_clock() =>
        Assert.Same(TimeProvider.System, ClockSetup.From(Config(null)));

    [Fact]
    public void A_start_instant_moves_the_clock_there_and_it_runs_on_in_real_time()
    {
        var start = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

        var before = TimeProvider.System.GetUtcNow();
        var clock = ClockSetup.From(Config("2026-03-02T10:00:00-05:00"));
        var first = clock.GetUtcNow();
        Thread.Sleep(20);
        var second = clock.GetUtcNow();
        var after = TimeProvider.System.GetUtcNow();

        Assert.IsType<ShiftedTimeProvider>(clock);
        Assert.InRange(first, start, start + (after - before));
        Assert.True(second > first, "the moved clock runs on");
        Assert.InRange(second - first, TimeSpan.FromMilliseconds(1), after - before);
    }

    [Theory]
    [InlineData("next monday")]
    [InlineData("2026-13-01T00:00:00Z")]
    public void An_unreadable_start_stops_the_service_with_a_clear_message(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ClockSetup.From(Config(value)));
        Assert.Contains("Clock:StartAt", error.Message, StringComparison.Ordinal);
    }
}

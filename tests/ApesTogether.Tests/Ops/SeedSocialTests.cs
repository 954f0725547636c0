using ApesTogether.Api.Features.Ops;
using ApesTogether.Api.Features.Subscriptions;

namespace ApesTogether.Tests.Ops;

public sealed class SeedSocialTests
{
    static readonly DateTime Now = new(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc);
    static readonly SubscriptionTierOptions Monthly = new SubscriptionOptions().Tiers[SubscriptionOptions.DefaultTier];

    [Fact]
    public void Fan_out_subscribers_follow_stockguru_and_every_subscription_keeps_the_domain_rules()
    {
        var options = new SeedOptions { Users = 1000, Seed = 42, FanoutSubscribers = 300 };

        var social = Seeder.Social.Plan(options, Now, Monthly);

        var toGuru = social.Subscriptions.Where(s => s.CreatorId == Seeder.TraderId).Select(s => s.SubscriberId).ToHashSet();
        Assert.All(Enumerable.Range(3, 300), id => Assert.Contains((long)id, toGuru));
        Assert.True(toGuru.Count > 300, "other users subscribe to stockguru too");
        Assert.Contains(social.Subscriptions, s => s.CreatorId != Seeder.TraderId);
        Assert.All(social.Subscriptions, s =>
        {
            Assert.NotEqual(s.SubscriberId, s.CreatorId);
            Assert.InRange(s.SubscriberId, 3, 1002);
            Assert.True(s.StartedAt <= Now && s.PeriodEnd > Now);
            Assert.Equal(Monthly.Price, s.Price);
        });
        Assert.Equal(social.Subscriptions.Count, social.Subscriptions.Select(s => (s.SubscriberId, s.CreatorId)).Distinct().Count());
    }

    [Fact]
    public void Every_account_has_one_or_two_devices_and_a_few_have_settings_but_no_fan_out_subscriber()
    {
        var options = new SeedOptions { Users = 1000, Seed = 42, FanoutSubscribers = 300 };

        var social = Seeder.Social.Plan(options, Now, Monthly);

        var perUser = social.Devices.GroupBy(d => d.UserId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1002, perUser.Count);
        Assert.All(perUser.Values, n => Assert.InRange(n, 1, 2));
        Assert.Equal(social.Devices.Count, social.Devices.Select(d => d.Token).Distinct().Count());
        Assert.Equal(new[] { "android", "ios" }, social.Devices.Select(d => d.Platform).Distinct().Order());
        Assert.InRange(social.Settings.Count, 1, 30);
        Assert.All(social.Settings, s => Assert.True(s.UserId > 302));
        Assert.Contains(social.Settings, s => !s.PushEnabled);
    }

    [Fact]
    public void The_same_seed_gives_the_same_rows_and_another_seed_other_ones()
    {
        var options = new SeedOptions { Users = 500, Seed = 7, FanoutSubscribers = 10 };

        var first = Seeder.Social.Plan(options, Now, Monthly);
        var second = Seeder.Social.Plan(options, Now, Monthly);
        var other = Seeder.Social.Plan(options with { Seed = 8 }, Now, Monthly);

        Assert.Equal(first.Subscriptions, second.Subscriptions);
        Assert.Equal(first.Devices, second.Devices);
        Assert.NotEqual(first.Subscriptions, other.Subscriptions);
    }
}

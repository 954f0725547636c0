namespace ApesTogether.Api.Features.Market;

/// <summary>One regular NYSE session; instants are UTC offsets of the real open and close.</summary>
public sealed record TradingSession(DateOnly Date, DateTimeOffset Open, DateTimeOffset Close, bool EarlyClose);

public sealed record Holiday(DateOnly Date, string Name);

public enum MarketSessionKind { PreMarket, Regular, AfterHours, Closed }

/// <summary>The market as seen at one instant.</summary>
public sealed record MarketState(
    DateTimeOffset Now,
    bool IsOpen,
    MarketSessionKind Session,
    TradingSession? CurrentSession,
    DateTimeOffset NextOpen,
    DateTimeOffset NextClose,
    Holiday? Holiday);

public sealed class MarketCalendarOptions
{
    public const string Section = "Market";

    /// <summary>Closures not given by rule (national days of mourning, emergencies), added to the built-in list.</summary>
    public List<Holiday> AdHocClosures { get; set; } = [];
}

/// <summary>
/// NYSE regular-session calendar computed by rule for any year, in America/New_York with DST from the tz database.
/// </summary>
public sealed class MarketCalendar
{
    public MarketCalendar(Microsoft.Extensions.Options.IOptions<MarketCalendarOptions> options) => throw new NotImplementedException();

    public static TimeZoneInfo Eastern { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>The exchange date (America/New_York calendar date) of an instant.</summary>
    public static DateOnly ExchangeDate(DateTimeOffset instant) => throw new NotImplementedException();

    public Holiday? GetHoliday(DateOnly date) => throw new NotImplementedException();

    public IReadOnlyList<Holiday> GetHolidays(DateOnly from, DateOnly to) => throw new NotImplementedException();

    public bool IsTradingDay(DateOnly date) => throw new NotImplementedException();

    /// <summary>The session on that date, or null on weekends, holidays and closures.</summary>
    public TradingSession? GetSession(DateOnly date) => throw new NotImplementedException();

    public IReadOnlyList<TradingSession> GetSessions(DateOnly from, DateOnly to) => throw new NotImplementedException();

    /// <summary>The first session whose open is strictly after the instant.</summary>
    public TradingSession NextSessionOpeningAfter(DateTimeOffset instant) => throw new NotImplementedException();

    /// <summary>The latest session on a date strictly before the given date.</summary>
    public TradingSession PreviousSession(DateOnly date) => throw new NotImplementedException();

    public MarketState GetState(DateTimeOffset instant) => throw new NotImplementedException();
}

namespace ApesTogether.Api.Features.MarketData.Vendors;

/// <summary>A vendor's latest price for one symbol; fields the vendor did not send are null.</summary>
public sealed record VendorQuote(string Symbol, decimal Price, decimal? PreviousClose, decimal? Open, DateTimeOffset? AsOf);

/// <summary>One regular session's bar; <see cref="Date"/> is the New York exchange date.</summary>
public sealed record DailyBar(DateOnly Date, decimal Open, decimal High, decimal Low, decimal Close, long Volume);

public sealed record CompanyOverview(string Symbol, string Name, string? Sector, string? Industry, decimal? MarketCapitalization);

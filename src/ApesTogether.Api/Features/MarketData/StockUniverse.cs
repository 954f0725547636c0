using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>
/// One ticker of the universe with the simulator's inputs: the base price the simulated path oscillates around
/// and a volatility multiplier (1 = an ordinary large cap).
/// </summary>
internal sealed record UniverseEntry(StockInfo Info, decimal BasePrice, double Volatility);

/// <summary>
/// The fixed set of tickers the app knows: the S&amp;P 100, SPY and popular ETFs, and a few retail favourites.
/// Base prices are rough 2025 levels; they only anchor the simulator, they are not market data.
/// </summary>
public sealed class StockUniverse
{
    private const string Tech = "Information Technology";
    private const string Health = "Health Care";
    private const string Fin = "Financials";
    private const string Disc = "Consumer Discretionary";
    private const string Comm = "Communication Services";
    private const string Ind = "Industrials";
    private const string Staples = "Consumer Staples";
    private const string Energy = "Energy";
    private const string Util = "Utilities";
    private const string RealEstate = "Real Estate";
    private const string Materials = "Materials";
    private const string Fund = "ETF";

    // Meme and high-beta names swing harder than the mega caps; the simulator scales all its moves by this.
    private const double High = 1.8;

    private static readonly UniverseEntry[] Entries =
    [
        // S&P 100 constituents (2025).
        S("AAPL", "Apple Inc.", Tech, "Technology Hardware", 230m),
        S("ABBV", "AbbVie Inc.", Health, "Biotechnology", 190m),
        S("ABT", "Abbott Laboratories", Health, "Health Care Equipment", 130m),
        S("ACN", "Accenture plc", Tech, "IT Services", 280m),
        S("ADBE", "Adobe Inc.", Tech, "Software", 380m),
        S("AIG", "American International Group, Inc.", Fin, "Insurance", 80m),
        S("AMD", "Advanced Micro Devices, Inc.", Tech, "Semiconductors", 160m, 1.4),
        S("AMGN", "Amgen Inc.", Health, "Biotechnology", 290m),
        S("AMT", "American Tower Corporation", RealEstate, "Specialized REITs", 200m),
        S("AMZN", "Amazon.com, Inc.", Disc, "Broadline Retail", 220m),
        S("AVGO", "Broadcom Inc.", Tech, "Semiconductors", 300m, 1.3),
        S("AXP", "American Express Company", Fin, "Consumer Finance", 310m),
        S("BA", "The Boeing Company", Ind, "Aerospace & Defense", 200m),
        S("BAC", "Bank of America Corporation", Fin, "Banks", 45m),
        S("BK", "The Bank of New York Mellon Corporation", Fin, "Capital Markets", 95m),
        S("BKNG", "Booking Holdings Inc.", Disc, "Hotels, Restaurants & Leisure", 5200m),
        S("BLK", "BlackRock, Inc.", Fin, "Capital Markets", 1050m),
        S("BMY", "Bristol-Myers Squibb Company", Health, "Pharmaceuticals", 50m),
        S("BRK.B", "Berkshire Hathaway Inc. Class B", Fin, "Multi-Sector Holdings", 490m, 0.7),
        S("C", "Citigroup Inc.", Fin, "Banks", 85m),
        S("CAT", "Caterpillar Inc.", Ind, "Machinery", 420m),
        S("CHTR", "Charter Communications, Inc.", Comm, "Cable & Satellite", 330m),
        S("CL", "Colgate-Palmolive Company", Staples, "Household Products", 85m, 0.7),
        S("CMCSA", "Comcast Corporation", Comm, "Cable & Satellite", 35m),
        S("COF", "Capital One Financial Corporation", Fin, "Consumer Finance", 210m),
        S("COP", "ConocoPhillips", Energy, "Oil & Gas Exploration & Production", 95m),
        S("COST", "Costco Wholesale Corporation", Staples, "Consumer Staples Retail", 950m),
        S("CRM", "Salesforce, Inc.", Tech, "Software", 260m),
        S("CSCO", "Cisco Systems, Inc.", Tech, "Communications Equipment", 65m),
        S("CVS", "CVS Health Corporation", Health, "Health Care Services", 70m),
        S("CVX", "Chevron Corporation", Energy, "Integrated Oil & Gas", 150m),
        S("DE", "Deere & Company", Ind, "Agricultural Machinery", 480m),
        S("DHR", "Danaher Corporation", Health, "Life Sciences Tools & Services", 200m),
        S("DIS", "The Walt Disney Company", Comm, "Entertainment", 110m),
        S("DUK", "Duke Energy Corporation", Util, "Electric Utilities", 120m, 0.6),
        S("EMR", "Emerson Electric Co.", Ind, "Electrical Equipment", 130m),
        S("F", "Ford Motor Company", Disc, "Automobiles", 11m),
        S("FDX", "FedEx Corporation", Ind, "Air Freight & Logistics", 240m),
        S("GD", "General Dynamics Corporation", Ind, "Aerospace & Defense", 300m),
        S("GE", "GE Aerospace", Ind, "Aerospace & Defense", 250m),
        S("GILD", "Gilead Sciences, Inc.", Health, "Biotechnology", 110m),
        S("GM", "General Motors Company", Disc, "Automobiles", 55m),
        S("GOOG", "Alphabet Inc. Class C", Comm, "Interactive Media & Services", 200m),
        S("GOOGL", "Alphabet Inc. Class A", Comm, "Interactive Media & Services", 200m),
        S("GS", "The Goldman Sachs Group, Inc.", Fin, "Capital Markets", 700m),
        S("HD", "The Home Depot, Inc.", Disc, "Home Improvement Retail", 380m),
        S("HON", "Honeywell International Inc.", Ind, "Industrial Conglomerates", 210m),
        S("IBM", "International Business Machines Corporation", Tech, "IT Services", 260m),
        S("INTC", "Intel Corporation", Tech, "Semiconductors", 25m, 1.3),
        S("INTU", "Intuit Inc.", Tech, "Software", 650m),
        S("ISRG", "Intuitive Surgical, Inc.", Health, "Health Care Equipment", 500m),
        S("JNJ", "Johnson & Johnson", Health, "Pharmaceuticals", 165m, 0.6),
        S("JPM", "JPMorgan Chase & Co.", Fin, "Banks", 280m),
        S("KO", "The Coca-Cola Company", Staples, "Beverages", 70m, 0.6),
        S("LIN", "Linde plc", Materials, "Industrial Gases", 460m),
        S("LLY", "Eli Lilly and Company", Health, "Pharmaceuticals", 800m),
        S("LMT", "Lockheed Martin Corporation", Ind, "Aerospace & Defense", 470m),
        S("LOW", "Lowe's Companies, Inc.", Disc, "Home Improvement Retail", 240m),
        S("MA", "Mastercard Incorporated", Fin, "Transaction & Payment Processing", 570m),
        S("MCD", "McDonald's Corporation", Disc, "Restaurants", 300m, 0.7),
        S("MDLZ", "Mondelez International, Inc.", Staples, "Packaged Foods & Meats", 62m, 0.7),
        S("MDT", "Medtronic plc", Health, "Health Care Equipment", 90m),
        S("MET", "MetLife, Inc.", Fin, "Insurance", 80m),
        S("META", "Meta Platforms, Inc.", Comm, "Interactive Media & Services", 700m, 1.2),
        S("MMM", "3M Company", Ind, "Industrial Conglomerates", 145m),
        S("MO", "Altria Group, Inc.", Staples, "Tobacco", 58m, 0.7),
        S("MRK", "Merck & Co., Inc.", Health, "Pharmaceuticals", 85m),
        S("MS", "Morgan Stanley", Fin, "Capital Markets", 140m),
        S("MSFT", "Microsoft Corporation", Tech, "Software", 480m),
        S("NEE", "NextEra Energy, Inc.", Util, "Electric Utilities", 75m, 0.7),
        S("NFLX", "Netflix, Inc.", Comm, "Entertainment", 110m, 1.2),
        S("NKE", "NIKE, Inc.", Disc, "Footwear", 70m),
        S("NOW", "ServiceNow, Inc.", Tech, "Software", 170m),
        S("NVDA", "NVIDIA Corporation", Tech, "Semiconductors", 180m, 1.4),
        S("ORCL", "Oracle Corporation", Tech, "Software", 220m, 1.3),
        S("PEP", "PepsiCo, Inc.", Staples, "Beverages", 145m, 0.6),
        S("PFE", "Pfizer Inc.", Health, "Pharmaceuticals", 25m),
        S("PG", "The Procter & Gamble Company", Staples, "Household Products", 155m, 0.6),
        S("PLTR", "Palantir Technologies Inc.", Tech, "Software", 170m, High),
        S("PM", "Philip Morris International Inc.", Staples, "Tobacco", 160m, 0.7),
        S("PYPL", "PayPal Holdings, Inc.", Fin, "Transaction & Payment Processing", 68m),
        S("QCOM", "QUALCOMM Incorporated", Tech, "Semiconductors", 165m),
        S("RTX", "RTX Corporation", Ind, "Aerospace & Defense", 170m),
        S("SBUX", "Starbucks Corporation", Disc, "Restaurants", 88m),
        S("SCHW", "The Charles Schwab Corporation", Fin, "Capital Markets", 95m),
        S("SO", "The Southern Company", Util, "Electric Utilities", 92m, 0.6),
        S("SPG", "Simon Property Group, Inc.", RealEstate, "Retail REITs", 180m),
        S("T", "AT&T Inc.", Comm, "Integrated Telecommunication Services", 27m, 0.7),
        S("TGT", "Target Corporation", Staples, "Consumer Staples Retail", 95m),
        S("TMO", "Thermo Fisher Scientific Inc.", Health, "Life Sciences Tools & Services", 500m),
        S("TMUS", "T-Mobile US, Inc.", Comm, "Wireless Telecommunication Services", 240m),
        S("TSLA", "Tesla, Inc.", Disc, "Automobiles", 400m, High),
        S("TXN", "Texas Instruments Incorporated", Tech, "Semiconductors", 180m),
        S("UBER", "Uber Technologies, Inc.", Ind, "Passenger Ground Transportation", 90m, 1.3),
        S("UNH", "UnitedHealth Group Incorporated", Health, "Managed Health Care", 320m),
        S("UNP", "Union Pacific Corporation", Ind, "Rail Transportation", 230m),
        S("UPS", "United Parcel Service, Inc.", Ind, "Air Freight & Logistics", 100m),
        S("USB", "U.S. Bancorp", Fin, "Banks", 48m),
        S("V", "Visa Inc.", Fin, "Transaction & Payment Processing", 340m),
        S("VZ", "Verizon Communications Inc.", Comm, "Integrated Telecommunication Services", 41m, 0.6),
        S("WFC", "Wells Fargo & Company", Fin, "Banks", 82m),
        S("WMT", "Walmart Inc.", Staples, "Consumer Staples Retail", 100m, 0.7),
        S("XOM", "Exxon Mobil Corporation", Energy, "Integrated Oil & Gas", 115m),

        // Popular names outside the S&P 100 that retail users trade.
        S("COIN", "Coinbase Global, Inc.", Fin, "Financial Exchanges & Data", 300m, High),
        S("SHOP", "Shopify Inc.", Tech, "Software", 150m, 1.5),
        S("XYZ", "Block, Inc.", Fin, "Transaction & Payment Processing", 65m, 1.5),
        S("HOOD", "Robinhood Markets, Inc.", Fin, "Capital Markets", 110m, High),
        S("SOFI", "SoFi Technologies, Inc.", Fin, "Consumer Finance", 25m, High),
        S("RIVN", "Rivian Automotive, Inc.", Disc, "Automobiles", 14m, High),
        S("GME", "GameStop Corp.", Disc, "Specialty Retail", 24m, High),
        S("AMC", "AMC Entertainment Holdings, Inc.", Comm, "Movies & Entertainment", 3m, High),

        // ETFs.
        E("SPY", "SPDR S&P 500 ETF Trust", "Large Blend", 660m),
        E("VOO", "Vanguard S&P 500 ETF", "Large Blend", 610m),
        E("VTI", "Vanguard Total Stock Market ETF", "Total Market", 320m),
        E("QQQ", "Invesco QQQ Trust", "Large Growth", 600m, 1.2),
        E("DIA", "SPDR Dow Jones Industrial Average ETF Trust", "Large Value", 460m),
        E("IWM", "iShares Russell 2000 ETF", "Small Blend", 240m, 1.2),
        E("ARKK", "ARK Innovation ETF", "Thematic Growth", 75m, 2.5),
        E("XLK", "Technology Select Sector SPDR Fund", "Sector: Technology", 280m, 1.3),
        E("XLF", "Financial Select Sector SPDR Fund", "Sector: Financials", 52m),
        E("GLD", "SPDR Gold Shares", "Commodity: Gold", 370m),
    ];

    private static readonly FrozenDictionary<string, UniverseEntry> ByTicker =
        Entries.ToFrozenDictionary(e => e.Info.Ticker, StringComparer.OrdinalIgnoreCase);

    private static readonly IReadOnlyCollection<StockInfo> AllInfos = Array.AsReadOnly(Entries.Select(e => e.Info).ToArray());

    public IReadOnlyCollection<StockInfo> All => AllInfos;

    /// <summary>Trimmed, upper-case (invariant) form of a user-typed ticker.</summary>
    public static string Normalize(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return raw.Trim().ToUpperInvariant();
    }

    /// <summary>Looks up a ticker case-insensitively; callers trim first (see <see cref="Normalize"/>).</summary>
    public bool TryGet(string ticker, [NotNullWhen(true)] out StockInfo? info)
    {
        if (TryGetEntry(ticker, out var entry))
        {
            info = entry.Info;
            return true;
        }

        info = null;
        return false;
    }

    public bool Contains(string ticker) => ByTicker.ContainsKey(ticker);

    /// <summary>The simulator's anchor price for a ticker.</summary>
    /// <exception cref="ArgumentException">The ticker is not in the universe.</exception>
    public decimal BasePrice(string ticker) => GetEntry(ticker).BasePrice;

    internal bool TryGetEntry(string ticker, [NotNullWhen(true)] out UniverseEntry? entry) =>
        ByTicker.TryGetValue(ticker, out entry);

    internal UniverseEntry GetEntry(string ticker) =>
        ByTicker.TryGetValue(ticker, out var entry)
            ? entry
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Unknown ticker '{ticker}'."), nameof(ticker));

    private static UniverseEntry S(string ticker, string name, string sector, string industry, decimal basePrice, double volatility = 1.0) =>
        new(new StockInfo(ticker, name, sector, industry, AssetKind.Stock), basePrice, volatility);

    private static UniverseEntry E(string ticker, string name, string industry, decimal basePrice, double volatility = 1.0) =>
        new(new StockInfo(ticker, name, Fund, industry, AssetKind.Etf), basePrice, volatility);
}

using System.ComponentModel.DataAnnotations;

namespace ApesTogether.Api.Infrastructure;

/// <summary>Rejects control characters and broken UTF-16 (lone surrogates) in free text.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PlainTextAttribute : ValidationAttribute
{
    public PlainTextAttribute() : base("The field {0} contains control characters or invalid Unicode.") { }

    public override bool IsValid(object? value) => value is not string s || IsPlain(s);

    public static bool IsPlain(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>An IANA time-zone id known to this machine's tz database (e.g. America/New_York).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class IanaTimeZoneAttribute : ValidationAttribute
{
    public IanaTimeZoneAttribute() : base("The field {0} must be an IANA time-zone id such as America/New_York.") { }

    public override bool IsValid(object? value) =>
        value is not string s || string.IsNullOrEmpty(s) ||
        (s.Length <= 64 && PlainTextAttribute.IsPlain(s) && TimeZoneInfo.TryFindSystemTimeZoneById(s, out var tz) && tz.HasIanaId);
}

/// <summary>A decimal with at most the given number of digits after the point.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class MaxDecimalPlacesAttribute(int places) : ValidationAttribute($"At most {places} decimal places are allowed.")
{
    public int Places { get; } = places;

    public override bool IsValid(object? value) => value is not decimal d || d.Scale <= Places || decimal.Round(d, Places) == d;
}

/// <summary>
/// An inclusive decimal range. Used instead of <see cref="RangeAttribute"/> with <c>typeof(decimal)</c>, whose lazy
/// conversion of its limits is not thread-safe: concurrent first validations can throw InvalidCastException.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class DecimalRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public decimal Minimum { get; } = decimal.Parse(minimum, System.Globalization.CultureInfo.InvariantCulture);
    public decimal Maximum { get; } = decimal.Parse(maximum, System.Globalization.CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not decimal d || (d >= Minimum && d <= Maximum);
}

/// <summary>An inclusive TimeSpan range for options; thread-safe for the same reason as <see cref="DecimalRangeAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeSpanRangeAttribute(string minimum, string maximum)
    : ValidationAttribute($"The field {{0}} must be between {minimum} and {maximum}.")
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, System.Globalization.CultureInfo.InvariantCulture);
    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, System.Globalization.CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan t || (t >= Minimum && t <= Maximum);
}

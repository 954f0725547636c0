namespace ApesTogether.Api.Features.Performance;

/// <summary>
/// A portfolio snapshot: total value (holdings at market plus cash proceeds) and the capital deployed at that instant.
/// The capital deployed already includes every flow at or before <see cref="At"/>.
/// </summary>
public sealed record ValuationPoint(DateTimeOffset At, decimal Value, decimal CapitalDeployed);

/// <summary>An increase of capital deployed at an instant, as the ledger recorded it.</summary>
public sealed record CapitalFlow(DateTimeOffset At, decimal Amount);

/// <summary>The cumulative return (fraction) from the first point of a series up to <see cref="At"/>.</summary>
public sealed record ReturnPoint(DateTimeOffset At, decimal Return);

/// <summary>
/// The Modified Dietz result for one sub-period. <see cref="NoCapitalAtRisk"/> is set when the denominator was not
/// positive, so the return was taken as 0: a user with nothing invested has no return, rather than an infinite one.
/// </summary>
public sealed record SubPeriodReturn(
    DateTimeOffset From,
    DateTimeOffset To,
    decimal Return,
    decimal NetFlow,
    decimal WeightedFlow,
    bool NoCapitalAtRisk);

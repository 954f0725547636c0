using Microsoft.Extensions.Options;

namespace ApesTogether.Api.Features.MarketData;

/// <summary>No key has budget left now, and none frees up within the caller's patience.</summary>
public sealed class BudgetExhaustedException(TimeSpan retryAfter)
    : Exception($"Every AlphaVantage key has used its budget; the next call is possible in {retryAfter.TotalSeconds:0.#} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A key granted for one call. The key itself stays here; logs see only its index.</summary>
public readonly record struct KeyLease(int Index, string Key);

/// <summary>
/// AlphaVantage keys in rotation, each with its own rolling per-minute budget (and optional per-day budget).
/// A call is granted only to a key with budget left, so no call is ever sent just to be throttled. When the vendor
/// throttles anyway (another process shares the key), the key rests until the vendor's retry time.
/// </summary>
public sealed class ApiKeyPool
{
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    readonly KeyState[] _keys;
    readonly int _perMinute;
    readonly int? _perDay;
    readonly TimeProvider _clock;
    readonly Lock _gate = new();
    int _next;

    public ApiKeyPool(IOptions<MarketDataOptions> options, TimeProvider clock)
    {
        var av = options.Value.AlphaVantage;
        _keys = av.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => new KeyState(k.Trim())).ToArray();
        _perMinute = av.CallsPerMinute;
        _perDay = av.CallsPerDay;
        _clock = clock;
    }

    public int KeyCount => _keys.Length;

    /// <summary>Calls the pool can grant per minute across all keys.</summary>
    public int CapacityPerMinute => _keys.Length * _perMinute;

    public int? CapacityPerDay => _perDay * _keys.Length;

    /// <summary>Grants a key now, rotating among those with budget, or says how long until one frees up.</summary>
    public bool TryAcquire(out KeyLease lease, out TimeSpan retryAfter)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            retryAfter = TimeSpan.MaxValue;
            for (var i = 0; i < _keys.Length; i++)
            {
                var index = (_next + i) % _keys.Length;
                var wait = _keys[index].WaitTime(now, _perMinute, _perDay);
                if (wait <= TimeSpan.Zero)
                {
                    _keys[index].Record(now);
                    _next = (index + 1) % _keys.Length;
                    lease = new KeyLease(index, _keys[index].Key);
                    retryAfter = TimeSpan.Zero;
                    return true;
                }
                retryAfter = wait < retryAfter ? wait : retryAfter;
            }
            lease = default;
            return false;
        }
    }

    /// <summary>Waits up to <paramref name="maxWait"/> for budget; then gives up with <see cref="BudgetExhaustedException"/>.</summary>
    public async Task<KeyLease> AcquireAsync(TimeSpan maxWait, CancellationToken ct)
    {
        if (_keys.Length == 0)
        {
            throw new InvalidOperationException("No AlphaVantage keys are configured (MarketData__AlphaVantage__ApiKeys__0).");
        }
        var deadline = _clock.GetUtcNow() + maxWait;
        while (true)
        {
            if (TryAcquire(out var lease, out var retryAfter))
            {
                return lease;
            }
            var now = _clock.GetUtcNow();
            if (now + retryAfter > deadline)
            {
                throw new BudgetExhaustedException(retryAfter);
            }
            await Task.Delay(retryAfter, _clock, ct);
        }
    }

    /// <summary>The vendor throttled this key: rest it until the vendor's retry time (a minute when not given).</summary>
    public void Penalize(int index, TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            _keys[index].RestUntil = _clock.GetUtcNow() + (retryAfter ?? Window);
        }
    }

    /// <summary>Calls granted within the last rolling minute, all keys together.</summary>
    public int CallsInLastMinute()
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            return _keys.Sum(k => k.CountSince(now - Window));
        }
    }

    sealed class KeyState(string key)
    {
        readonly Queue<DateTimeOffset> _minute = new();
        DateOnly _day;
        int _dayCount;

        public string Key { get; } = key;
        public DateTimeOffset RestUntil { get; set; }

        public TimeSpan WaitTime(DateTimeOffset now, int perMinute, int? perDay)
        {
            while (_minute.Count > 0 && _minute.Peek() <= now - Window)
            {
                _minute.Dequeue();
            }
            var wait = RestUntil > now ? RestUntil - now : TimeSpan.Zero;
            if (_minute.Count >= perMinute)
            {
                var frees = _minute.Peek() + Window - now;
                wait = frees > wait ? frees : wait;
            }
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (perDay is { } limit && _day == today && _dayCount >= limit)
            {
                var midnight = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - now;
                wait = midnight > wait ? midnight : wait;
            }
            return wait;
        }

        public void Record(DateTimeOffset now)
        {
            _minute.Enqueue(now);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (_day != today)
            {
                _day = today;
                _dayCount = 0;
            }
            _dayCount++;
        }

        public int CountSince(DateTimeOffset since) => _minute.Count(t => t > since);
    }
}

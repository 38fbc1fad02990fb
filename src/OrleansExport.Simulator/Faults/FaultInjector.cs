using System.ComponentModel.DataAnnotations;

namespace OrleansExport.Simulator;

/// <summary>What to do to one request.</summary>
internal enum FaultKind
{
    None,
    Error,
    DropConnection,
    LoseAnswer,
    Throttle,
    LoginPage,
}

/// <summary>Draws the faults of <see cref="SimulatorFaults"/> per request and counts what it injected. Thread-safe.</summary>
internal sealed class FaultInjector
{
    private static readonly int[] ErrorStatuses = [StatusCodes.Status500InternalServerError, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable];

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _timeScale;
    private readonly long[] _counts = new long[9];
    private SimulatorFaults _faults = new();
    private Random _random = new();
    private DateTimeOffset _stormEndsAt;

    public FaultInjector(SimulatorFaults faults, TimeProvider time, double timeScale)
    {
        _time = time;
        _timeScale = timeScale;
        Set(faults);
    }

    public SimulatorFaults Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults;
            }
        }
    }

    /// <summary>Validates and puts <paramref name="faults"/> in force from now (a storm starts now). The counters go on.</summary>
    public void Set(SimulatorFaults faults)
    {
        Validator.ValidateObject(faults, new ValidationContext(faults), validateAllProperties: true);
        lock (_gate)
        {
            _faults = faults;
            _random = faults.Seed is { } seed ? new Random(seed) : new Random();
            _stormEndsAt = _time.GetUtcNow() + faults.ThrottleStormDuration / _timeScale;
        }
    }

    public void ResetCounters()
    {
        lock (_gate)
        {
            Array.Clear(_counts);
        }
    }

    public FaultsView View()
    {
        lock (_gate)
        {
            return new FaultsView(_faults, StormRemainingLocked() > TimeSpan.Zero,
                new FaultCounters(_counts[0], _counts[1], _counts[2], _counts[3], _counts[4], _counts[5], _counts[6], _counts[7], _counts[8]));
        }
    }

    /// <summary>The fault for one <c>/api/3</c> request, with the status (Error) or Retry-After (Throttle) to answer.</summary>
    public (FaultKind Kind, int Status, TimeSpan RetryAfter) Draw()
    {
        lock (_gate)
        {
            if (StormRemainingLocked() is var storm && storm > TimeSpan.Zero)
            {
                _counts[3]++;
                var retryAfter = _faults.ThrottleStormRetryAfter / _timeScale;
                return (FaultKind.Throttle, 0, retryAfter < storm ? retryAfter : storm);
            }

            if (Hit(_faults.ErrorRate))
            {
                _counts[0]++;
                return (FaultKind.Error, ErrorStatuses[_random.Next(ErrorStatuses.Length)], TimeSpan.Zero);
            }

            if (Hit(_faults.DroppedConnectionRate))
            {
                _counts[1]++;
                return (FaultKind.DropConnection, 0, TimeSpan.Zero);
            }

            if (Hit(_faults.LostAnswerRate))
            {
                _counts[2]++;
                return (FaultKind.LoseAnswer, 0, TimeSpan.Zero);
            }

            if (Hit(_faults.LoginPageRate))
            {
                _counts[6]++;
                return (FaultKind.LoginPage, 0, TimeSpan.Zero);
            }

            return (FaultKind.None, 0, TimeSpan.Zero);
        }
    }

    public bool FailImportInfo() => Count(faults => faults.ImportInfoErrorRate, 4);

    public bool FailContact() => Count(faults => faults.FailedContactRate, 5);

    public bool AnswerImportRateLimit() => Count(faults => faults.ImportRateLimitRate, 7);

    public bool DropWebhook() => Count(faults => faults.WebhookDropRate, 8);

    private bool Count(Func<SimulatorFaults, double> rate, int slot)
    {
        lock (_gate)
        {
            if (!Hit(rate(_faults)))
            {
                return false;
            }

            _counts[slot]++;
            return true;
        }
    }

    private bool Hit(double rate) => rate > 0 && _random.NextDouble() < rate;

    private TimeSpan StormRemainingLocked() => _stormEndsAt - _time.GetUtcNow();
}

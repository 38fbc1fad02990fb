namespace OrleansExport;

public enum DeadLetterKind
{
    /// <summary>The event could not be read: bad JSON, a missing or mistyped field, over a limit.</summary>
    Malformed,
    /// <summary>A valid event for a segment outside the scope of the key (or source) that sent it.</summary>
    OutOfScope,
}

/// <summary>
/// An upstream event that was not applied, with why. Holds identifiers only, never attribute values
/// (they are personal data). <paramref name="Source"/> names the way in: <c>api</c> or <c>eventhubs</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeadLetter(
    [property: Id(0)] string Source,
    [property: Id(1)] DeadLetterKind Kind,
    [property: Id(2)] string? EventId,
    [property: Id(3)] string? SegmentId,
    [property: Id(4)] string? ProfileId,
    [property: Id(5)] string Reason,
    [property: Id(6)] DateTimeOffset At);

/// <summary>How many events were dead-lettered, by kind, and the most recent ones, newest first.</summary>
[GenerateSerializer, Immutable]
public sealed record DeadLetterSummary(
    [property: Id(0)] long Malformed,
    [property: Id(1)] long OutOfScope,
    [property: Id(2)] IReadOnlyList<DeadLetter> Recent);

/// <summary>
/// What one way in sends the dead-letter grain at a time: counts of every dead letter, and the letters
/// themselves for at most <see cref="IDeadLetterGrain.MaxKept"/> of them (the grain keeps no more).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeadLetterBatch(
    [property: Id(0)] long Malformed,
    [property: Id(1)] long OutOfScope,
    [property: Id(2)] IReadOnlyList<DeadLetter> Listed);

/// <summary>Collects one request's dead letters: every one counted, the first <see cref="IDeadLetterGrain.MaxKept"/> kept.</summary>
public sealed class DeadLetterCollector
{
    private readonly List<DeadLetter> _listed = [];
    private long _malformed;
    private long _outOfScope;

    public long Count => _malformed + _outOfScope;

    public void Add(DeadLetterKind kind, Func<DeadLetter> letter)
    {
        if (kind == DeadLetterKind.Malformed)
        {
            _malformed++;
        }
        else
        {
            _outOfScope++;
        }

        if (_listed.Count < IDeadLetterGrain.MaxKept)
        {
            _listed.Add(letter());
        }
    }

    public DeadLetterBatch ToBatch() => new(_malformed, _outOfScope, _listed.ToArray());
}

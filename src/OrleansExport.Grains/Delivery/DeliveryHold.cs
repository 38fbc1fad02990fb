namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Why an export's delivery waits, and until when: the account refused the key (until a new key is saved),
/// the account's circuit is open (until the break ends), or a batch failed (briefly). What it says is the
/// export's <c>paused</c> sentence. No Orleans in it.
/// </summary>
public sealed class DeliveryHold(TimeProvider time)
{
    /// <summary>How often an export whose key was refused looks for a new one.</summary>
    public static readonly TimeSpan KeyCheckInterval = TimeSpan.FromSeconds(5);

    private DateTimeOffset _until;
    private string? _reason;

    // Set while the account refuses the connection's key; cleared by the first batch sent with a new one.
    private string? _keyRefused;

    public bool IsHeld => time.GetUtcNow() < _until;

    /// <summary>A sentence a person can act on while delivery waits; null while it does not.</summary>
    public string? Reason => _keyRefused ?? (IsHeld ? _reason : null);

    public void KeyRefused(string connectionId)
    {
        _keyRefused = $"ActiveCampaign refused the API key of connection {connectionId}: rotate the key (PATCH /api/connections/{connectionId} " +
                      "with a new apiKey, or the console's connection page) and the export resumes. Pending contacts are kept.";
        Hold(KeyCheckInterval, _keyRefused);
    }

    /// <summary>A batch went out with the connection's key: it is not (or no longer) refused.</summary>
    public void KeyAccepted() => _keyRefused = null;

    public DateTimeOffset CircuitOpen(string hostname, TimeSpan retryAfter)
    {
        var resumeAt = time.GetUtcNow() + retryAfter;
        Hold(retryAfter,
            $"ActiveCampaign account {hostname} is failing: after repeated errors its circuit is open and delivery is paused until {resumeAt:HH:mm:ss} UTC. Pending contacts are kept and sent then.");
        return resumeAt;
    }

    public void Failing(string error, TimeSpan retryAfter) =>
        Hold(retryAfter, $"ActiveCampaign is failing ({error}); delivery retries shortly.");

    private void Hold(TimeSpan duration, string reason)
    {
        _until = time.GetUtcNow() + duration;
        _reason = reason;
    }
}

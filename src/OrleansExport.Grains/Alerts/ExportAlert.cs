using System.Text.Json.Serialization;

namespace OrleansExport.Grains.Alerts;

/// <summary>
/// The JSON document an export's <c>alertWebhook</c> receives (docs/api.md: Alerts). It names the export and what
/// happened, never a contact or a key.
/// </summary>
/// <param name="Event">One of <see cref="AlertEvents"/>.</param>
/// <param name="RunId">The run that ended, for the run events.</param>
/// <param name="Reason">Why, as a sentence a person can act on.</param>
public sealed record ExportAlert(
    string ExportId,
    string DisplayName,
    string Event,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RunId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    DateTimeOffset At);

/// <summary>The <c>event</c> names of <see cref="ExportAlert"/>.</summary>
public static class AlertEvents
{
    public const string RunFailed = "runFailed";
    public const string RunPartiallySucceeded = "runPartiallySucceeded";
    public const string Paused = "paused";
    public const string Resumed = "resumed";
    public const string UnsubscribesHeld = "unsubscribesHeld";
}

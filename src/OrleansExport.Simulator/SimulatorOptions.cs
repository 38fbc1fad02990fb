using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExport.Simulator;

/// <summary>
/// Settings of the simulated ActiveCampaign account, bound from the configuration section <c>Simulator</c>.
/// Defaults are the real account's limits.
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Simulator";

    /// <summary>Valid <c>Api-Token</c> values. All belong to the one simulated account and share its limits.</summary>
    [MinLength(1)]
    public List<string> ApiKeys { get; set; } = ["sim-key-1"];

    /// <summary>Ids of the lists that exist at start.</summary>
    public List<string> ListIds { get; set; } = ["1", "2", "3"];

    /// <summary>Divides every rate window: 60 makes per-minute limits apply per second and 5 req/s apply per 1/60 s.</summary>
    [Range(0.001, 1_000_000)]
    public double TimeScale { get; set; } = 1;

    /// <summary>Requests per second for the whole account, all endpoints together.</summary>
    [Range(1, int.MaxValue)]
    public int RequestsPerSecond { get; set; } = 5;

    /// <summary>Bulk imports carrying more than one contact, per minute.</summary>
    [Range(1, int.MaxValue)]
    public int BulkImportsPerMinute { get; set; } = 100;

    /// <summary>Bulk imports carrying exactly one contact, per minute.</summary>
    [Range(1, int.MaxValue)]
    public int SingleContactImportsPerMinute { get; set; } = 20;

    /// <summary>Most contacts one bulk import may carry.</summary>
    [Range(1, int.MaxValue)]
    public int MaxContactsPerImport { get; set; } = 250;

    /// <summary>Largest bulk import body, in bytes.</summary>
    [Range(1, 100_000_000)]
    public int MaxImportBytes { get; set; } = 399_999;

    /// <summary>
    /// How long a queued bulk import stays "processing" before it is applied, in account time: divided by
    /// <see cref="TimeScale"/> like the rate windows, so a scaled run keeps the real ratio of polls to imports.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ImportApplyDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Faults to inject (section <c>Simulator:Faults</c>); none by default.</summary>
    [ValidateObjectMembers]
    public SimulatorFaults Faults { get; set; } = new();
}

/// <summary>Checks <see cref="SimulatorOptions"/> and its <see cref="SimulatorOptions.Faults"/> at start (generated from their attributes).</summary>
[OptionsValidator]
public sealed partial class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>;

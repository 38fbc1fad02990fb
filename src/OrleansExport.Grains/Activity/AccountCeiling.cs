using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Activity;

/// <summary>
/// The most an ActiveCampaign account takes per minute, from its configured limits: bulk imports per minute times
/// contacts per import (100 x 250 = 25,000 contacts on the real API; a time scale speeds both up). No Orleans in it.
/// </summary>
public sealed record AccountCeiling(double ImportsPerMinute, double ContactsPerMinute)
{
    public static AccountCeiling Of(ActiveCampaignLimits limits)
    {
        var imports = limits.BulkImportsPerMinute * limits.TimeScale;
        return new AccountCeiling(imports, imports * limits.MaxContactsPerImport);
    }

    /// <summary>The imports the account allows in <paramref name="minutes"/> minutes.</summary>
    public double ImportBudget(int minutes) => ImportsPerMinute * minutes;

    /// <summary>The share (0 to 1, or more if the limits were lowered meanwhile) of that budget <paramref name="imports"/> took.</summary>
    public double ShareOf(long imports, int minutes) => imports / ImportBudget(minutes);
}

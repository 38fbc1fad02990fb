using OrleansExport.Grains.Runs;


namespace OrleansExport.Grains.Exports;

/// <summary>What a valid export definition is, and what a change to one changes. No Orleans in it.</summary>
public static class ExportDefinitionRules
{
    private const int MaxSegments = 64;
    private const int MaxNameLength = 256;
    private const int MaxMappedFields = 100;
    private const int MaxTags = 20;
    private const int MaxTagLength = 255;
    private const int MaxScheduleLength = 100;
    private const int MaxListIdLength = 18;

    /// <summary>
    /// A list id as it is stored and compared: digits without leading zeros ("05" is list 5, and must not pass for another
    /// list than "5"). Anything that is not 1 to 18 digits is returned as it came, for <see cref="Validate"/> to refuse.
    /// </summary>
    public static string? CanonicalListId(string? listId) =>
        listId is { Length: > 0 and <= MaxListIdLength } && listId.All(char.IsAsciiDigit)
            ? ulong.Parse(listId, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : listId;

    /// <param name="minScheduleInterval">The least time a schedule must leave between two runs (<c>Export:MinScheduleInterval</c>).</param>
    public static OperationError? Validate(ExportDefinition definition, TimeSpan minScheduleInterval)
    {
        if (string.IsNullOrWhiteSpace(definition.DisplayName) || definition.DisplayName.Length > 200)
        {
            return new(OperationErrorKind.Invalid, "displayName is required (at most 200 characters).", "displayName");
        }

        if (string.IsNullOrWhiteSpace(definition.ConnectionId))
        {
            return new(OperationErrorKind.Invalid, "connectionId is required.", "connectionId");
        }

        if (string.IsNullOrWhiteSpace(definition.ListId) || definition.ListId.Length > MaxListIdLength || !definition.ListId.All(char.IsAsciiDigit))
        {
            return new(OperationErrorKind.Invalid, $"listId must be the id of the ActiveCampaign list to keep in step: digits only (at most {MaxListIdLength}), such as \"1\".", "listId");
        }

        if (definition.SegmentIds.Count is 0 or > MaxSegments || definition.SegmentIds.Any(string.IsNullOrWhiteSpace)
            || definition.SegmentIds.Distinct().Count() != definition.SegmentIds.Count)
        {
            return new(OperationErrorKind.Invalid, $"segmentIds needs 1 to {MaxSegments} distinct, non-empty segment ids.", "segmentIds");
        }

        if (definition.SegmentIds.Select(id => IdRules.InvalidSegmentId(id, "segmentIds")).FirstOrDefault(e => e is not null) is { } segmentError)
        {
            return new(OperationErrorKind.Invalid, $"{segmentError}.", "segmentIds");
        }

        if (string.IsNullOrWhiteSpace(definition.Mapping.Email))
        {
            return new(OperationErrorKind.Invalid, "mapping.email is required: the profile attribute that holds the email address.", "mapping.email");
        }

        var mapping = definition.Mapping;
        if (new[] { mapping.Email, mapping.FirstName, mapping.LastName, mapping.Phone }.Concat(mapping.Fields.Select(f => f.Attribute)).Any(name => name?.Length > MaxNameLength))
        {
            return new(OperationErrorKind.Invalid, $"a mapped attribute name is at most {MaxNameLength} characters.", "mapping");
        }

        if (mapping.Fields.Count > MaxMappedFields || mapping.Fields.Any(f => f.FieldId <= 0 || string.IsNullOrWhiteSpace(f.Attribute)))
        {
            return new(OperationErrorKind.Invalid, $"mapping.fields takes at most {MaxMappedFields} entries, each with an attribute and a positive ActiveCampaign fieldId.", "mapping.fields");
        }

        if (mapping.Tags.Count > MaxTags || mapping.Tags.Any(tag => string.IsNullOrWhiteSpace(tag) || tag.Length > MaxTagLength))
        {
            return new(OperationErrorKind.Invalid, $"mapping.tags takes at most {MaxTags} non-empty tags of at most {MaxTagLength} characters.", "mapping.tags");
        }

        if (definition.Schedule?.Length > MaxScheduleLength)
        {
            return new(OperationErrorKind.Invalid, $"schedule is at most {MaxScheduleLength} characters.", "schedule");
        }

        if (definition.Schedule is { } schedule)
        {
            if (!CronSchedule.TryParse(schedule, out var cron, out var cronError))
            {
                return new(OperationErrorKind.Invalid, $"schedule '{schedule}' is not a valid cron expression (UTC, five fields): {cronError}", "schedule");
            }

            if (ScheduleSpacing.FirstTooClose(cron!, minScheduleInterval) is var (first, second))
            {
                return new(OperationErrorKind.Invalid,
                    $"schedule '{schedule}' starts runs {second - first:g} apart (for example at {first:yyyy-MM-dd HH:mm} and {second:yyyy-MM-dd HH:mm} UTC); " +
                    $"runs must be at least {minScheduleInterval:g} apart (Export:MinScheduleInterval): choose fewer runs, such as '0 3 * * *' for 03:00 every day.", "schedule");
            }
        }

        if (definition.MaxUnsubscribePercent is < 1 or > 100)
        {
            return new(OperationErrorKind.Invalid, "maxUnsubscribePercent is a whole percent from 1 to 100, or null to switch the mass-unsubscribe guard off.", "maxUnsubscribePercent");
        }

        return null;
    }

    /// <summary>The definition with the patch applied, and the API names of the fields that actually changed.</summary>
    public static (ExportDefinition Definition, IReadOnlyList<string> Changed) Apply(ExportDefinition definition, ExportPatch patch)
    {
        var changed = new List<string>();
        var updated = definition;
        if (patch.DisplayName is { } displayName && displayName != definition.DisplayName)
        {
            updated = updated with { DisplayName = displayName };
            changed.Add("displayName");
        }

        if (patch.ListId is { } listId && listId != definition.ListId)
        {
            updated = updated with { ListId = listId };
            changed.Add("listId");
        }

        if (patch.SegmentIds is { } segmentIds && !segmentIds.SequenceEqual(definition.SegmentIds))
        {
            updated = updated with { SegmentIds = segmentIds };
            changed.Add("segmentIds");
        }

        if (patch.Mapping is { } mapping && !SameMapping(mapping, definition.Mapping))
        {
            updated = updated with { Mapping = mapping };
            changed.Add("mapping");
        }

        if (patch.OnLeave is { } onLeave && onLeave != definition.OnLeave)
        {
            updated = updated with { OnLeave = onLeave };
            changed.Add("onLeave");
        }

        if (patch.OnErase is { } onErase && onErase != definition.OnErase)
        {
            updated = updated with { OnErase = onErase };
            changed.Add("onErase");
        }

        if (patch.ChangeSchedule && patch.Schedule != definition.Schedule)
        {
            updated = updated with { Schedule = patch.Schedule };
            changed.Add("schedule");
        }

        if (patch.ExcludeAutomations is { } exclude && exclude != definition.ExcludeAutomations)
        {
            updated = updated with { ExcludeAutomations = exclude };
            changed.Add("excludeAutomations");
        }

        if (patch.ChangeAlertWebhook && patch.AlertWebhook != definition.AlertWebhook)
        {
            updated = updated with { AlertWebhook = patch.AlertWebhook };
            changed.Add("alertWebhook");
        }

        if (patch.ChangeMaxUnsubscribePercent && patch.MaxUnsubscribePercent != definition.MaxUnsubscribePercent)
        {
            updated = updated.WithMaxUnsubscribePercent(patch.MaxUnsubscribePercent);
            changed.Add("maxUnsubscribePercent");
        }

        return (updated, changed);
    }

    /// <summary>Whether two mappings produce the same contacts (records compare lists by reference).</summary>
    public static bool SameMapping(ContactMapping a, ContactMapping b) =>
        a.Email == b.Email && a.FirstName == b.FirstName && a.LastName == b.LastName && a.Phone == b.Phone
        && a.Fields.SequenceEqual(b.Fields) && a.Tags.SequenceEqual(b.Tags);

    /// <summary>Whether contacts already sent must be compared again (tags alone change nothing a hash covers).</summary>
    public static bool ChangesMappedData(ContactMapping before, ContactMapping after) =>
        !SameMapping(before with { Tags = [] }, after with { Tags = [] });
}

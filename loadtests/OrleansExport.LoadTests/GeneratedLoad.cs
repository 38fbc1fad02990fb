using OrleansExport.Demo;

namespace OrleansExport.LoadTests;

/// <summary>
/// The events of one run, generated before the clock starts so that generation does not count as
/// ingest. Repeats and out-of-date events (stragglers) go last, as redeliveries and late arrivals would.
/// </summary>
internal sealed class GeneratedLoad
{
    public const string SegmentId = "loadtest";

    private GeneratedLoad(List<SegmentEvent> events, int expectedMembers, int invalidEmails)
    {
        Events = events;
        ExpectedMembers = expectedMembers;
        InvalidEmails = invalidEmails;
    }

    public List<SegmentEvent> Events { get; }

    public int ExpectedMembers { get; }

    public int InvalidEmails { get; }

    public static GeneratedLoad Create(LoadTestOptions options)
    {
        var events = new List<SegmentEvent>(options.Profiles + options.Profiles / 8);
        var stragglers = new List<SegmentEvent>();
        int members = 0, invalid = 0;
        foreach (var profile in Profiles(options))
        {
            events.AddRange(profile.Events);
            stragglers.AddRange(profile.Stragglers);
            members += profile.ExpectedEmail is null ? 0 : 1;
            invalid += profile.InvalidEmail ? 1 : 0;
        }

        events.AddRange(stragglers);
        return new GeneratedLoad(events, members, invalid);
    }

    /// <summary>The same profiles again, lazily: the expected list is recomputed instead of held through the run.</summary>
    public static IEnumerable<GeneratedProfile> Profiles(LoadTestOptions options) =>
        SegmentEventGenerator.GenerateProfiles(options.Profiles, SegmentId, options.Churn, options.Seed);
}

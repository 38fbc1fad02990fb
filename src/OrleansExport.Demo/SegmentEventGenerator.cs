namespace OrleansExport.Demo;

/// <summary>How much churn the generated stream carries, as fractions of the profiles.</summary>
public sealed record ChurnOptions(
    double Updates = 0.05,
    double Leaves = 0.03,
    double Rejoins = 0.3,
    double Duplicates = 0.01,
    double LateEvents = 0.01,
    double InvalidEmails = 0.005)
{
    public static readonly ChurnOptions None = new(0, 0, 0, 0, 0, 0);
}

/// <summary>A generated event stream and the list it must produce.</summary>
public sealed record GeneratedEvents(IReadOnlyList<SegmentEvent> Events, IReadOnlyDictionary<string, string> ExpectedEmailsByProfile, int InvalidEmails);

/// <summary>
/// The events of one generated profile. <see cref="Stragglers"/> (repeats and out-of-date events) may
/// arrive at any time after <see cref="Events"/> without changing the outcome.
/// </summary>
public sealed record GeneratedProfile(
    string ProfileId,
    IReadOnlyList<SegmentEvent> Events,
    IReadOnlyList<SegmentEvent> Stragglers,
    string? ExpectedEmail,
    bool InvalidEmail);

/// <summary>
/// Generates segment events for N profiles with churn (updates, leaves, re-joins, duplicates, late
/// events, invalid emails), and computes the expected final list from first principles, so the
/// demo, the tests and the load test can check the exported list exactly.
/// </summary>
public static class SegmentEventGenerator
{
    public static GeneratedEvents Generate(int profiles, string segmentId, ChurnOptions churn, int seed = 42, DateTimeOffset? start = null)
    {
        var events = new List<SegmentEvent>(profiles + (int)(profiles * (churn.Updates + churn.Leaves * 2 + churn.Duplicates + churn.LateEvents)) + 16);
        var expected = new Dictionary<string, string>(profiles);
        var invalid = 0;
        foreach (var profile in GenerateProfiles(profiles, segmentId, churn, seed, start))
        {
            events.AddRange(profile.Events);
            events.AddRange(profile.Stragglers);
            invalid += profile.InvalidEmail ? 1 : 0;
            if (profile.ExpectedEmail is { } email)
            {
                expected[profile.ProfileId] = email;
            }
        }

        return new GeneratedEvents(events, expected, invalid);
    }

    /// <summary>The same profiles as <see cref="Generate"/>, one at a time, so millions need not be held at once.</summary>
    public static IEnumerable<GeneratedProfile> GenerateProfiles(int profiles, string segmentId, ChurnOptions churn, int seed = 42, DateTimeOffset? start = null)
    {
        var random = new Random(seed);
        var t0 = start ?? new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        var eventNumber = 0L;

        SegmentEvent Make(string profileId, SegmentEventType type, DateTimeOffset at, IReadOnlyDictionary<string, string>? attributes) =>
            new($"{seed:x}-{eventNumber++:x}", segmentId, profileId, type, at, attributes);

        for (var i = 0; i < profiles; i++)
        {
            var profileId = $"p-{i:D7}";
            var isInvalid = random.NextDouble() < churn.InvalidEmails;
            var email = isInvalid ? $"p{i}-at-example.com" : $"p{i}@example.com";
            var at = t0.AddMilliseconds(i);
            var joined = Make(profileId, SegmentEventType.Joined, at, Attributes(email, "First" + i, i));
            var events = new List<SegmentEvent>(1) { joined };
            List<SegmentEvent>? stragglers = null;
            var member = !isInvalid;

            if (random.NextDouble() < churn.Duplicates)
            {
                (stragglers ??= []).Add(joined);
            }

            if (member && random.NextDouble() < churn.Updates)
            {
                at = at.AddHours(1);
                events.Add(Make(profileId, SegmentEventType.Updated, at, Attributes(email, "Updated" + i, i)));
            }

            if (member && random.NextDouble() < churn.Leaves)
            {
                at = at.AddHours(2);
                events.Add(Make(profileId, SegmentEventType.Left, at, null));
                member = false;
                if (random.NextDouble() < churn.Rejoins)
                {
                    at = at.AddHours(1);
                    events.Add(Make(profileId, SegmentEventType.Joined, at, Attributes(email, "Rejoined" + i, i)));
                    member = true;
                }
            }

            if (random.NextDouble() < churn.LateEvents)
            {
                // Older than what the profile already has: must change nothing.
                (stragglers ??= []).Add(Make(profileId, SegmentEventType.Left, t0.AddMilliseconds(i).AddMinutes(-5), null));
            }

            yield return new GeneratedProfile(profileId, events, stragglers ?? (IReadOnlyList<SegmentEvent>)[], member ? email : null, isInvalid);
        }
    }

    private static Dictionary<string, string> Attributes(string email, string firstName, int i) => new()
    {
        ["EmailAddress"] = email,
        ["FirstName"] = firstName,
        ["LastName"] = "Demo",
        ["Tier"] = (i % 3) switch { 0 => "gold", 1 => "silver", _ => "bronze" },
    };
}

using OrleansExport.Simulator;

namespace OrleansExport.LoadTests;

/// <summary>How the simulated ActiveCampaign list compares with the membership the events must produce.</summary>
public sealed record ListCheck(int Expected, int Subscribed, int Missing, int Unexpected, IReadOnlyList<string> Examples)
{
    public bool Matches => Missing == 0 && Unexpected == 0;

    /// <summary>Compares the list's subscribed contacts with the expected members, recomputed from the generator.</summary>
    public static ListCheck Compare(IReadOnlyList<SimContact> list, IEnumerable<string> expectedEmails)
    {
        var subscribed = new HashSet<string>(list.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var contact in list)
        {
            if (contact.Status == 1)
            {
                subscribed.Add(contact.Email);
            }
        }

        var subscribedCount = subscribed.Count;
        var examples = new List<string>();
        int expected = 0, missing = 0;
        foreach (var email in expectedEmails)
        {
            expected++;
            if (!subscribed.Remove(email))
            {
                missing++;
                AddExample(examples, $"missing {email}");
            }
        }

        // What is left was never expected.
        foreach (var email in subscribed.Take(10 - Math.Min(10, examples.Count)))
        {
            AddExample(examples, $"unexpected {email}");
        }

        return new ListCheck(expected, subscribedCount, missing, subscribed.Count, examples);
    }

    private static void AddExample(List<string> examples, string example)
    {
        if (examples.Count < 10)
        {
            examples.Add(example);
        }
    }
}

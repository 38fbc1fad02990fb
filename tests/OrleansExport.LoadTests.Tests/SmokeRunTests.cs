using OrleansExport.LoadTests;
using OrleansExport.LoadTests.Reports;
using System.Text.Json;

namespace OrleansExport.LoadTests.Tests;

/// <summary>
/// The CI smoke run of the load-test harness: 20,000 profiles with churn through the real ingest
/// path and the simulator's limits. It asserts correctness only, never speed.
/// </summary>
public sealed class SmokeRunTests
{
    [Fact]
    public async Task TwentyThousandProfiles_EndWithTheExactList_AndNoThrottling()
    {
        var json = Path.Combine(Path.GetTempPath(), $"orleansexport-smoke-{Guid.NewGuid():N}.json");
        var options = new LoadTestOptions { Profiles = 20_000, TimeScale = 60, JsonPath = json, Timeout = TimeSpan.FromMinutes(5) };
        try
        {
            var result = await LoadTestRunner.RunAsync(options);
            await ResultFiles.WriteJsonAsync(json, result);

            Assert.True(result.ListMatchesMembership, string.Join("; ", result.List!.Examples.Concat(result.ListAfterFullRun?.Examples ?? [])));
            Assert.Equal(0, result.Throttled429);
            Assert.Equal(result.Ingest.ExpectedMembers, result.List.Subscribed);
            Assert.Equal("Succeeded", result.FullRunStatus);
            // Delivery is at least once: the run sends every member, the odd one twice (a change while in flight).
            Assert.InRange(result.FullRun!.ContactsImported + result.FullRun.ContactSyncs, result.Ingest.ExpectedMembers, long.MaxValue);
            Assert.True(result.Ingest.InvalidEmails > 0, "the churn should include invalid emails");

            using var written = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
            foreach (var field in new[]
                     {
                         "ingestEventsPerSecond", "bulkImportsPerMinuteUsed", "bulkImportsPerMinuteAllowed", "utilization", "avgContactsPerImport",
                         "throttled429", "projectedMinutesPer1MProfiles", "bytesPerMember", "peakWorkingSetBytes", "duplicateSendRatio", "listMatchesMembership",
                     })
            {
                Assert.True(written.RootElement.TryGetProperty(field, out _), $"the results JSON lacks '{field}'");
            }

            Assert.True(written.RootElement.GetProperty("listMatchesMembership").GetBoolean());
        }
        finally
        {
            File.Delete(json);
        }
    }
}

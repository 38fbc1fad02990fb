using System.Text.Json;
using OrleansExport.LoadTests.Reports;

namespace OrleansExport.LoadTests.Tests;

/// <summary>
/// <c>--kill-silo</c> with a few thousand profiles: two silo processes of the production profile sharing Azurite, the
/// sending one killed with kill -9 a third of the way into the first run. The list must end exactly right and the
/// figures must be there; at this size every contact in flight is a large share of the members, so neither the
/// duplicates nor the time is judged here (the 1M figures are in loadtests/README.md).
/// </summary>
public sealed class SiloKillRunTests
{
    [Fact]
    public async Task KillingTheSendingSilo_MidRun_EndsWithTheExactList_AndReportsDuplicatesAndResumeTime()
    {
        var json = Path.Combine(Path.GetTempPath(), $"orleansexport-kill-{Guid.NewGuid():N}.json");
        var html = Path.ChangeExtension(json, ".html");
        var options = new LoadTestOptions { Profiles = 5_000, TimeScale = 5, KillSilo = true, JsonPath = json, Timeout = TimeSpan.FromMinutes(4) };
        try
        {
            var result = await LoadTestRunner.RunAsync(options);
            await ResultFiles.WriteJsonAsync(json, result);
            await ResultFiles.WriteHtmlAsync(html, result);

            Assert.True(result.ListMatchesMembership, string.Join("; ", result.List!.Examples));
            Assert.Equal(result.Ingest.ExpectedMembers, result.List.Subscribed);
            Assert.Equal(0, result.Throttled429);
            Assert.Equal("Succeeded", result.RunStatus);
            Assert.Equal("azurite", result.Setup.Storage);

            var kill = result.Kill!;
            Assert.Equal(2, kill.Silos);
            Assert.StartsWith("silo-", kill.KilledSilo);
            Assert.InRange(kill.SentAtKill, kill.ContactsNeeded / 3, kill.ContactsNeeded);
            Assert.Equal(kill.Sent - kill.ContactsNeeded, kill.Duplicates);
            Assert.Equal(kill.Duplicates, result.DuplicatesAfterKill);
            Assert.Equal(Math.Round((double)kill.Duplicates / kill.ContactsNeeded, 5), result.DuplicateRatioAfterKill);
            Assert.True(result.ResumeSecondsAfterKill > 0);
            Assert.InRange(kill.FinishedSecondsAfterKill, kill.ResumeSeconds, double.MaxValue);
            Assert.Contains("ProbeTimeout", kill.Membership);
            // The cluster is one silo short after the kill: no second export is measured.
            Assert.Null(result.SecondExport);

            using var written = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
            foreach (var field in new[] { "duplicatesAfterKill", "duplicateRatioAfterKill", "resumeSecondsAfterKill" })
            {
                Assert.Equal(JsonValueKind.Number, written.RootElement.GetProperty(field).ValueKind);
            }

            var summary = await File.ReadAllTextAsync(html);
            Assert.Contains("Contacts sent twice after a silo kill", summary);
            Assert.Contains("Resumed sending after a silo kill", summary);
            Assert.Contains("&lt;= 10 s", summary);
        }
        finally
        {
            File.Delete(json);
            File.Delete(html);
        }
    }
}

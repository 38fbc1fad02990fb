using System.Text.Json;

namespace OrleansExport.LoadTests.Tests;

/// <summary>The harness as an operator starts it: options on the command line, the JSON and the HTML summary written.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task SmallRun_WritesEveryPhasesFigures_ToTheJsonAndTheSummary()
    {
        var json = Path.Combine(Path.GetTempPath(), $"orleansexport-cli-{Guid.NewGuid():N}.json");
        var html = Path.ChangeExtension(json, ".html");
        try
        {
            var exitCode = await LoadTestCommand.Create().Parse(["--profiles", "2000", "--time-scale", "120", "--json", json, "--no-live", "--timeout-minutes", "5"]).InvokeAsync();

            Assert.Equal(0, exitCode);
            using var written = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
            var root = written.RootElement;
            var expectedMembers = root.GetProperty("ingest").GetProperty("expectedMembers").GetInt64();
            Assert.True(root.GetProperty("listMatchesMembership").GetBoolean());
            Assert.True(root.GetProperty("backfillSeconds").GetDouble() > 0);
            Assert.Equal(expectedMembers, root.GetProperty("backfill").GetProperty("members").GetInt64());
            Assert.Equal(expectedMembers, root.GetProperty("secondExport").GetProperty("members").GetInt64());
            Assert.Equal(JsonValueKind.Number, root.GetProperty("bytesPerMemberSecondExport").ValueKind);
            Assert.Equal("succeeded", root.GetProperty("runStatus").GetString(), ignoreCase: true);

            var summary = await File.ReadAllTextAsync(html);
            Assert.Contains("Backfill (new export on the loaded segment)", summary);
            Assert.Contains("Memory per member, second export on the segment", summary);
            Assert.Contains("First run", summary);
        }
        finally
        {
            File.Delete(json);
            File.Delete(html);
        }
    }

    [Fact]
    public void Accounts_BelowOneOrAboveTheMost_AreRefused()
    {
        Assert.Contains(LoadTestCommand.Create().Parse(["--accounts", "0"]).Errors, error => error.Message.StartsWith("--accounts must be between 1 and", StringComparison.Ordinal));
        Assert.NotEmpty(LoadTestCommand.Create().Parse(["--accounts", $"{LoadTestCommand.MaxAccounts + 1}"]).Errors);
        Assert.Empty(LoadTestCommand.Create().Parse(["--accounts", "3"]).Errors);
    }

    [Fact]
    public async Task IngestOnly_FillsTheSegment_AndCreatesNoExport()
    {
        var json = Path.Combine(Path.GetTempPath(), $"orleansexport-ingest-only-{Guid.NewGuid():N}.json");
        try
        {
            var exitCode = await LoadTestCommand.Create().Parse(["--profiles", "2000", "--ingest-only", "--json", json, "--html", Path.ChangeExtension(json, ".html"), "--no-live"]).InvokeAsync();

            Assert.Equal(0, exitCode);
            using var written = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
            var root = written.RootElement;
            var ingest = root.GetProperty("ingest");
            Assert.Equal(ingest.GetProperty("expectedMembers").GetInt64() + ingest.GetProperty("invalidEmails").GetInt64(), ingest.GetProperty("segmentMembers").GetInt64());
            Assert.True(root.GetProperty("ingestEventsPerSecond").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Number, root.GetProperty("bytesPerMember").ValueKind);
            foreach (var absent in new[] { "backfillSeconds", "bytesPerMemberSecondExport", "listMatchesMembership", "backfill", "run", "secondExport" })
            {
                Assert.Equal(JsonValueKind.Null, root.GetProperty(absent).ValueKind);
            }
        }
        finally
        {
            File.Delete(json);
            File.Delete(Path.ChangeExtension(json, ".html"));
        }
    }
}

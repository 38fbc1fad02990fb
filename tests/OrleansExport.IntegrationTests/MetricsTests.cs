using System.Net;
using System.Text.Json;
using OrleansExport.Simulator;

namespace OrleansExport.IntegrationTests;

/// <summary><c>/metrics</c> against a known flow, on an account of its own so the simulator's counts are this flow's alone.</summary>
[Collection(SiloCollection.Name)]
public sealed class MetricsTests(SiloFixture fixture)
{
    private const string Segment = "seg-metrics";
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Metrics_CountEventsDropsRejectionsPendingContactsAndImportsOfAKnownFlow()
    {
        var options = new SimulatorOptions { ApiKeys = [SiloFixture.SimulatorApiKey], TimeScale = SiloFixture.TimeScale };
        var simulator = await ActiveCampaignSimulator.StartAsync(options);
        var address = simulator.BaseAddress.ToString();
        try
        {
            var connection = await CreateConnectionAsync(simulator.Hostname);
            var export = await Api.CreateExportAsync(fixture, connection, Segment);

            // The account goes away: nothing can be delivered, so every valid member stays pending.
            await simulator.DisposeAsync();
            var joined = Enumerable.Range(0, 200).Select(i => Api.Joined(Segment, $"m{i}", $"m{i}@example.com", T0)).ToList();
            var duplicates = joined.Take(20);
            var stale = Enumerable.Range(20, 10).Select(i => Api.Joined(Segment, $"m{i}", $"old{i}@example.com", T0.AddMinutes(-1)));
            var invalid = Enumerable.Range(0, 5).Select(i => Api.Joined(Segment, $"bad{i}", $"not-an-email-{i}", T0));
            await Api.PostEventsAsync(fixture, [.. joined, .. duplicates, .. stale, .. invalid]);
            // The segment drops the 10 stale events; it passes on repeats (an export may have missed them) and the export drops those.
            await Api.EventuallyAsync(async () => Counters(await Api.GetExportAsync(fixture, export)) == (225, 200, 0), "225 changes received and 200 members pending");

            var whileDown = await ScrapeAsync();
            Assert.Equal(235, whileDown.Value("orleansexport_events_received_total", ("segment_id", Segment)));
            Assert.Equal(20, whileDown.Value("orleansexport_events_duplicates_total", ("segment_id", Segment)));
            Assert.Equal(10, whileDown.Value("orleansexport_events_stale_total", ("segment_id", Segment)));
            Assert.Equal(5, whileDown.Value("orleansexport_rejections_total", ("export_id", export), ("stage", "event")));
            Assert.Equal(200, whileDown.Value("orleansexport_pending", ("export_id", export)));
            Assert.Null(whileDown.Value("orleansexport_contacts_sent_total", ("export_id", export)));

            // The account is back (empty, at the same address): the export delivers what was pending.
            simulator = await ActiveCampaignSimulator.StartAsync(options, address);
            await Api.EventuallyAsync(async () => Counters(await Api.GetExportAsync(fixture, export)) == (225, 0, 200), "200 members in sync", TimeSpan.FromSeconds(120));

            var delivered = await ScrapeAsync();
            var stats = simulator.State.GetStats();
            Assert.Equal(200, simulator.State.GetListContacts("1").Count(c => c.Status == 1));
            Assert.Equal(200, delivered.Value("orleansexport_contacts_sent_total", ("export_id", export), ("action", "upsert")));
            Assert.Equal(stats.BulkImports + stats.SingleContactImports, delivered.Value("orleansexport_imports_total", ("export_id", export)));
            Assert.Equal(0, delivered.Value("orleansexport_pending", ("export_id", export)));
            Assert.Null(delivered.Value("orleansexport_rejections_total", ("export_id", export), ("stage", "activecampaign")));
            Assert.Equal(235, delivered.Value("orleansexport_events_received_total", ("segment_id", Segment)));
            Assert.Contains(delivered.MetricNames(), name => name.StartsWith("orleans_", StringComparison.Ordinal));
            Assert.Contains("orleansexport_activecampaign_requests_total", delivered.MetricNames());

            Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/exports/{export}")).StatusCode);
            // The exporter may answer from its short scrape cache for a moment.
            await Api.EventuallyAsync(async () => (await ScrapeAsync()).Value("orleansexport_pending", ("export_id", export)) is null, "the deleted export's gauge to go");
        }
        finally
        {
            await simulator.DisposeAsync();
        }
    }

    private async Task<string> CreateConnectionAsync(string hostname)
    {
        var body = new { displayName = "Metrics account", hostname, apiKey = SiloFixture.SimulatorApiKey, allowContributors = false, dataPrivacyConsent = true, profileCap = (long?)null };
        var response = await fixture.Client().PostJsonAsync("/api/connections", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        // No key: a Prometheus scraper has none.
        var response = await fixture.Client(apiKey: null).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new PrometheusText(await response.Content.ReadAsStringAsync());
    }

    private static (long Received, long Pending, long InSync) Counters(JsonElement export) =>
        (export.GetProperty("eventsReceived").GetInt64(), export.GetProperty("pending").GetInt64(), export.GetProperty("inSync").GetInt64());
}

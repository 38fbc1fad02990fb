using System.Net;

namespace OrleansExport.IntegrationTests;

/// <summary>A host with <c>Metrics:RequireKey=true</c>.</summary>
public sealed class MetricsKeyFixture : SiloFixture
{
    protected override IEnumerable<string> ExtraArgs() => ["--Metrics:RequireKey=true"];
}

/// <remarks>Its host starts and stops apart from the shared one's scrapes, like <see cref="WebhookCollection"/>.</remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsKeyCollection : ICollectionFixture<MetricsKeyFixture>
{
    public const string Name = "metrics with a key";
}

/// <summary>With <c>Metrics:RequireKey</c>, <c>/metrics</c> answers only keys of role Admin or Viewer that see every segment.</summary>
[Collection(MetricsKeyCollection.Name)]
public sealed class MetricsKeyTests(MetricsKeyFixture fixture)
{
    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-configured-key-at-all", HttpStatusCode.Unauthorized)]
    [InlineData(SiloFixture.ContributorKey, HttpStatusCode.Forbidden)]
    [InlineData(SiloFixture.IngestKey, HttpStatusCode.Forbidden)]
    [InlineData(SiloFixture.ScopedViewerKey, HttpStatusCode.Forbidden)]
    [InlineData(SiloFixture.ViewerKey, HttpStatusCode.OK)]
    [InlineData(SiloFixture.AdminKey, HttpStatusCode.OK)]
    public async Task Metrics_NeedAnAdminOrViewerKey(string? key, HttpStatusCode expected)
    {
        var response = await fixture.Client(key).GetAsync("/metrics");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Contains("orleans_", await response.Content.ReadAsStringAsync());
        }
        else
        {
            Assert.DoesNotContain("# TYPE", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task HealthProbes_StillNeedNoKey() =>
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client(apiKey: null).GetAsync("/health/live")).StatusCode);
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansExport.Grains.Connections;

namespace OrleansExport.IntegrationTests;

/// <summary>An ActiveCampaign API key never appears in a log line or an HTTP answer, and is encrypted at rest.</summary>
[Collection(SiloCollection.Name)]
public sealed class SecretsTests(SiloFixture fixture)
{
    [Fact]
    public async Task ApiKeyAppearsInNoLogLineAndNoAnswer_ThroughAFullFlowWithFailures()
    {
        const string segment = "seg-secrets";
        var refused = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture, apiKey: "refused-key-0000000000"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "s1", "secret@example.com", DateTimeOffset.UtcNow), Api.Joined(segment, "s2", "bad-email", DateTimeOffset.UtcNow)]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "the contact in sync");
        await fixture.Client(SiloFixture.ViewerKey).GetAsync("/api/connections");
        await fixture.Client().GetAsync($"/api/connections/{connection}");
        await fixture.Client().GetAsync($"/api/exports/{export}/rejections");

        Assert.NotEmpty(fixture.LogLines);
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains(SiloFixture.SimulatorApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains("refused-key-0000000000", StringComparison.Ordinal));
        Assert.NotEmpty(fixture.ResponseBodies);
        Assert.DoesNotContain(fixture.ResponseBodies, body => body.Contains(SiloFixture.SimulatorApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoredConnection_HoldsTheKeyEncrypted()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var storage = fixture.Services.GetRequiredKeyedService<IGrainStorage>(Constants.ExportStore);
        var stored = new GrainState<ConnectionState>();

        await storage.ReadStateAsync("connection", GrainId.Create("connection", connection), stored);

        Assert.True(stored.RecordExists);
        var protectedKey = Assert.IsType<ConnectionState>(stored.State).ProtectedApiKey;
        Assert.NotNull(protectedKey);
        Assert.DoesNotContain(SiloFixture.SimulatorApiKey, protectedKey);
        var protector = fixture.Services.GetRequiredService<ApiKeyProtector>();
        Assert.Equal(SiloFixture.SimulatorApiKey, protector.Unprotect(protectedKey));
    }

    [Fact]
    public async Task DeletedConnection_HasItsStoredRecordErased()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var storage = fixture.Services.GetRequiredKeyedService<IGrainStorage>(Constants.ExportStore);
        var before = new GrainState<ConnectionState>();
        await storage.ReadStateAsync("connection", GrainId.Create("connection", connection), before);

        var deleted = await fixture.Client().DeleteAsync($"/api/connections/{connection}");
        var after = new GrainState<ConnectionState>();
        await storage.ReadStateAsync("connection", GrainId.Create("connection", connection), after);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.NotNull(before.State?.ProtectedApiKey);
        Assert.False(after.RecordExists);
        Assert.Null(after.State?.ProtectedApiKey);
        Assert.Null(await fixture.Grains.GetGrain<IConnectionGrain>(connection).GetCredentialsAsync());
    }
}

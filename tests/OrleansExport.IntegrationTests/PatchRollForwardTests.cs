using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.IntegrationTests;

/// <summary>Fails the next <c>ConfigureAsync</c> of export shard "{export}/1" once, for the export it is armed for.</summary>
public sealed class FailOneShardConfigureFilter : IIncomingGrainCallFilter
{
    private string? _armedFor;

    public void ArmFor(string exportId) => Volatile.Write(ref _armedFor, exportId);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod.Name == nameof(IExportShardGrain.ConfigureAsync) && Volatile.Read(ref _armedFor) is { } export
            && context.TargetId.Key.ToString() == $"{export}/1" && Interlocked.CompareExchange(ref _armedFor, null, export) == export)
        {
            throw new InvalidOperationException("injected: shard configure failed");
        }

        return context.Invoke();
    }
}

public sealed class PatchFaultFixture : SiloFixture
{
    public FailOneShardConfigureFilter Filter { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter>(Filter);
}

/// <remarks>A host of its own: it runs after the parallel collections (see <see cref="WebhookCollection"/>), so that its start and stop cannot take Orleans' meters out of <c>MetricsTests</c>' scrape.</remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PatchFaultCollection : ICollectionFixture<PatchFaultFixture>
{
    public const string Name = "patch with a failing shard";
}

/// <summary>A PATCH whose reconfiguration fails part-way is rolled forward: the retry converges, nothing is lost.</summary>
[Collection(PatchFaultCollection.Name)]
public sealed class PatchRollForwardTests(PatchFaultFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PatchFailingOnOneShard_IsAnsweredWithAnError_AndItsRetryAddsTheNewSegmentsMembers()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var list = fixture.Simulator.State.NewList("patch-roll-forward");
        var export = await Api.CreateExportAsync(fixture, connection, "seg-prf-a", list);
        await Api.PostEventsAsync(fixture, [Api.Joined("seg-prf-a", "prf-a", "prf-a@example.com", T0), Api.Joined("seg-prf-b", "prf-b", "prf-b@example.com", T0)]);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, list).Contains("prf-a@example.com")), "the first segment's member on the list");

        fixture.Filter.ArmFor(export);
        var failed = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { segmentIds = new[] { "seg-prf-a", "seg-prf-b" } });
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);

        var retried = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { segmentIds = new[] { "seg-prf-a", "seg-prf-b" } });
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, list).Contains("prf-b@example.com")), "the added segment's member on the list");
    }
}

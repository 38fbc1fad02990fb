namespace OrleansExport.Grains.Webhooks;

[GenerateSerializer]
public sealed class WebhookSecretState
{
    [Id(0)] public string? ExportId { get; set; }
}

/// <summary>Maps one webhook secret to its export (key: <see cref="WebhookSecrets.GrainKey"/>, the secret's hash), so that a delivery finds its export in one call.</summary>
public sealed class WebhookSecretGrain(
    [PersistentState("webhookSecret", Constants.ExportStore)] IPersistentState<WebhookSecretState> state) : Grain, IWebhookSecretGrain
{
    public Task<string?> GetExportIdAsync()
    {
        if (state.State.ExportId is null)
        {
            // An unknown secret (a guess): nothing to keep in memory.
            DeactivateOnIdle();
        }

        return Task.FromResult(state.State.ExportId);
    }

    public async Task SetAsync(string exportId)
    {
        state.State.ExportId = exportId;
        await state.WriteStateAsync();
    }

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}

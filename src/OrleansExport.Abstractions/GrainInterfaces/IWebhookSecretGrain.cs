namespace OrleansExport;

/// <summary>Which export a webhook secret belongs to (key: the secret). An unknown secret belongs to none.</summary>
public interface IWebhookSecretGrain : IGrainWithStringKey
{
    Task<string?> GetExportIdAsync();

    Task SetAsync(string exportId);

    Task ClearAsync();
}

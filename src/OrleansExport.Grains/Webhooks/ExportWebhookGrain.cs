using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Connections;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Webhooks;

[GenerateSerializer]
public sealed class ExportWebhookState
{
    [Id(0)] public string? Secret { get; set; }

    /// <summary>The webhook's id in ActiveCampaign; null while none is registered.</summary>
    [Id(1)] public string? WebhookId { get; set; }

    /// <summary>The list the webhook is registered on (or was, while its removal failed).</summary>
    [Id(2)] public string? ListId { get; set; }

    /// <summary>
    /// The list the export sends to, as last told: a delivery about another list is ignored even while a webhook that could
    /// not be moved still posts from it (opt-outs are per list). Null in state stored before it was kept.
    /// </summary>
    [Id(3)] public string? ExportListId { get; set; }
}

/// <summary>
/// One export's ActiveCampaign webhook (key: the export id): events unsubscribe, bounce and subscribe from every
/// source but the API (OrleansExport's own calls), posting to <c>{WebhookBaseUrl}/api/activecampaign/webhooks/{secret}</c>.
/// A delivery is applied on every export shard (<see cref="IExportShardGrain.LearnAsync"/>). Deliveries can be late or
/// lost: the status read before each re-subscribe and reconciliations stay the guarantee, webhooks make it quick.
/// </summary>
public sealed partial class ExportWebhookGrain(
    [PersistentState("webhook", Constants.ExportStore)] IPersistentState<ExportWebhookState> state,
    IActiveCampaignClient client,
    ApiKeyProtector protector,
    IOptions<ActiveCampaignOptions> options,
    ILogger<ExportWebhookGrain> logger) : Grain, IExportWebhookGrain
{
    public const string RoutePrefix = "/api/activecampaign/webhooks/";

    private static readonly string[] Events = ["unsubscribe", "bounce", "subscribe"];
    private static readonly string[] Sources = ["public", "admin", "system"];

    private string ExportId => this.GetPrimaryKeyString();

    public async Task EnsureRegisteredAsync(string connectionId, string listId)
    {
        if (state.State.ExportListId != listId && state.State.Secret is not null)
        {
            // Stored before ActiveCampaign is called: if moving the webhook fails, what the old list posts changes nothing.
            state.State.ExportListId = listId;
            await state.WriteStateAsync();
        }

        if (string.IsNullOrEmpty(options.Value.WebhookBaseUrl) || (state.State.WebhookId is not null && state.State.ListId == listId))
        {
            return;
        }

        if (await AccountAsync(connectionId) is not { } account)
        {
            return;
        }

        await DeleteRegisteredAsync(account);
        var secret = WebhookSecrets.New();
        await GrainFactory.GetGrain<IWebhookSecretGrain>(WebhookSecrets.GrainKey(secret)).SetAsync(ExportId);

        // The secret is stored before the webhook is created: if the answer is lost (or this silo dies), the next
        // registration or removal finds whatever ActiveCampaign made with it by its URL, and deletes it.
        (state.State.Secret, state.State.WebhookId, state.State.ListId, state.State.ExportListId) = (secret, null, listId, listId);
        await state.WriteStateAsync();
        var url = options.Value.WebhookBaseUrl.TrimEnd('/') + RoutePrefix + secret;
        var webhookId = await client.CreateWebhookAsync(account, new WebhookRegistration($"OrleansExport {ExportId}", url, Events, Sources, listId), CancellationToken.None);
        state.State.WebhookId = webhookId;
        await state.WriteStateAsync();
        LogRegistered(ExportId, listId, webhookId);
    }

    public async Task RemoveAsync(ProtectedCredentials? credentials)
    {
        if (state.State.Secret is not null && credentials is not null)
        {
            await DeleteRegisteredAsync(Account(credentials));
        }

        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    /// <summary>An old address may still point here (a lookup left behind by a crash or an earlier version): only the current one counts.</summary>
    private static bool IsCurrent(string secret, string secretKey) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(WebhookSecrets.GrainKey(secret)), Encoding.ASCII.GetBytes(secretKey));

    public async Task<bool> ReceiveAsync(string secretKey, string listId, string email, ListSignal signal)
    {
        if (state.State.WebhookId is null || state.State.Secret is not { } secret || !IsCurrent(secret, secretKey)
            || listId != state.State.ListId || (state.State.ExportListId is { } exportList && exportList != listId))
        {
            return false;
        }

        var shardCount = await GrainFactory.GetGrain<IExportGrain>(ExportId).GetShardCountAsync();
        var changed = await Task.WhenAll(Enumerable.Range(0, shardCount)
            .Select(i => GrainFactory.GetGrain<IExportShardGrain>(ExportShardGrain.Key(ExportId, i)).LearnAsync(email, signal)));
        LogReceived(ExportId, signal, changed.Sum());
        return true;
    }

    public Task<string?> GetRegisteredListAsync() => Task.FromResult(state.State.WebhookId is null ? null : state.State.ListId);

    /// <summary>
    /// Removes the registered webhook, and every other the account holds with its secret's URL (a POST retried after a
    /// lost answer, or one whose id was never stored), then the secret: a delivery to the old URL finds no export.
    /// </summary>
    private async Task DeleteRegisteredAsync(ActiveCampaignAccount account)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (state.State.WebhookId is { } registered)
        {
            ids.Add(registered);
        }

        if (state.State.Secret is { } ours)
        {
            var path = RoutePrefix + ours;
            ids.UnionWith((await client.GetWebhooksAsync(account, CancellationToken.None))
                .Where(webhook => webhook.Url.EndsWith(path, StringComparison.Ordinal)).Select(webhook => webhook.Id));
        }

        foreach (var webhookId in ids)
        {
            await client.DeleteWebhookAsync(account, webhookId, CancellationToken.None);
            LogRemoved(ExportId, webhookId);
        }

        if (state.State.Secret is { } secret)
        {
            await GrainFactory.GetGrain<IWebhookSecretGrain>(WebhookSecrets.GrainKey(secret)).ClearAsync();
        }

        (state.State.Secret, state.State.WebhookId, state.State.ListId) = (null, null, null);
        await state.WriteStateAsync();
    }

    private async Task<ActiveCampaignAccount?> AccountAsync(string connectionId) =>
        await GrainFactory.GetGrain<IConnectionGrain>(connectionId).GetCredentialsAsync() is { } credentials ? Account(credentials) : null;

    private ActiveCampaignAccount Account(ProtectedCredentials credentials) => new(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: webhook {WebhookId} registered on list {ListId}")]
    private partial void LogRegistered(string exportId, string listId, string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: webhook {WebhookId} removed")]
    private partial void LogRemoved(string exportId, string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: a webhook said {Signal}; {Changed} members changed")]
    private partial void LogReceived(string exportId, ListSignal signal, int changed);
}

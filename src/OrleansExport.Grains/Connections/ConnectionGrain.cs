using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Connections;

/// <summary>
/// One ActiveCampaign connection: its credentials (the key encrypted, never logged or returned), who may use it, its
/// profile cap, and the state of its key: verified when saved, refused when ActiveCampaign says so, until a new one is saved.
/// </summary>
public sealed partial class ConnectionGrain(
    [PersistentState("connection", Constants.ExportStore)] IPersistentState<ConnectionState> state,
    IActiveCampaignClient client,
    ApiKeyProtector protector,
    IOptions<ActiveCampaignOptions> options,
    TimeProvider time,
    ILogger<ConnectionGrain> logger) : Grain, IConnectionGrain
{
    private static readonly TimeSpan PickerCacheTime = TimeSpan.FromMinutes(1);

    /// <summary>The pickers' last answers by kind, unfiltered; never stored.</summary>
    private readonly Dictionary<string, (DateTimeOffset At, Array Items)> _pickerCache = [];

    private string Id => this.GetPrimaryKeyString();

    public async Task<OperationResult<ConnectionView>> CreateAsync(ConnectionRequest request)
    {
        if (state.State.Exists)
        {
            return OperationResult<ConnectionView>.Fail(OperationErrorKind.Conflict, $"Connection '{Id}' already exists.");
        }

        if (ConnectionRules.ValidateCreate(request, options.Value) is { } invalid)
        {
            return new(null, invalid);
        }

        var hostname = HostnameRules.Normalize(request.Hostname);
        if (await VerifyKeyAsync(hostname, request.ApiKey) is { } refused)
        {
            return new(null, refused);
        }

        var now = time.GetUtcNow();
        state.State = new ConnectionState
        {
            DisplayName = request.DisplayName.Trim(),
            Hostname = hostname,
            ProtectedApiKey = protector.Protect(request.ApiKey),
            ApiKeyHint = ApiKeyProtector.Hint(request.ApiKey),
            AllowContributors = request.AllowContributors,
            DataPrivacyConsent = true,
            ProfileCap = request.ProfileCap,
            ExportUsers = [request.CreatedBy],
            CreatedAt = now,
            KeyVersion = 1,
            KeyVerifiedAt = now,
        };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).AddConnectionAsync(Id);
        await AuditAsync(request.CreatedBy, AuditAction.Created, []);
        LogCreated(Id, hostname, request.CreatedBy);
        return OperationResult<ConnectionView>.Ok(ToView());
    }

    public async Task<OperationResult<ConnectionView>> UpdateAsync(ConnectionPatch patch, string user)
    {
        if (!state.State.Exists)
        {
            return OperationResult<ConnectionView>.Fail(OperationErrorKind.NotFound, $"Connection '{Id}' does not exist.");
        }

        if (ConnectionRules.ValidatePatch(patch) is { } invalid)
        {
            return new(null, invalid);
        }

        if (patch.ApiKey is { } apiKey && await VerifyKeyAsync(state.State.Hostname!, apiKey) is { } refused)
        {
            return new(null, refused);
        }

        var changed = new List<string>();
        if (patch.DisplayName is { } displayName && displayName.Trim() != state.State.DisplayName)
        {
            state.State.DisplayName = displayName.Trim();
            changed.Add("displayName");
        }

        if (patch.AllowContributors is { } allowContributors && allowContributors != state.State.AllowContributors)
        {
            state.State.AllowContributors = allowContributors;
            changed.Add("allowContributors");
        }

        if (patch.ChangeProfileCap && patch.ProfileCap != state.State.ProfileCap)
        {
            // Profiles already leased to exports stay theirs; a lower cap only stops new grants.
            state.State.ProfileCap = patch.ProfileCap;
            changed.Add("profileCap");
        }

        if (patch.ApiKey is { } newKey)
        {
            // Saved even when it is the same key: that is how a key ActiveCampaign accepts again stops counting as refused.
            state.State.ProtectedApiKey = protector.Protect(newKey);
            _pickerCache.Clear();
            state.State.ApiKeyHint = ApiKeyProtector.Hint(newKey);
            state.State.KeyVersion = CurrentKeyVersion + 1;
            state.State.KeyVerifiedAt = time.GetUtcNow();
            state.State.KeyRefusedAt = null;
            changed.Add("apiKey");
        }

        if (changed.Count > 0)
        {
            await state.WriteStateAsync();
            await AuditAsync(user, AuditAction.Updated, changed);
            LogChanged(Id, user, string.Join(", ", changed));
        }

        return OperationResult<ConnectionView>.Ok(ToView());
    }

    /// <summary>The audit trail (docs/api.md: GET /api/audit) learns of an action once it is saved; the fields are names, never values.</summary>
    private Task AuditAsync(string user, AuditAction action, IReadOnlyList<string> fields) =>
        GrainFactory.GetGrain<IAuditGrain>(IAuditGrain.Key).RecordAsync(new AuditEntry(time.GetUtcNow(), user, action, AuditSubject.Connection, Id, fields));

    public Task<ConnectionView?> GetAsync() => Task.FromResult(state.State.Exists ? ToView() : null);

    public Task<ProtectedCredentials?> GetCredentialsAsync() => Task.FromResult(Credentials());

    public async Task<ProtectedCredentials?> ReportKeyRefusedAsync(int keyVersion)
    {
        if (state.State.Exists && keyVersion == CurrentKeyVersion && state.State.KeyRefusedAt is null)
        {
            await RecordKeyRefusedAsync();
        }

        return Credentials();
    }

    public Task<OperationResult<IReadOnlyList<AccountListItem>>> GetListsAsync(string? search) =>
        ReadAccountAsync("lists", async account => (await client.GetListsAsync(account, CancellationToken.None))
            .Select(list => new AccountListItem(list.Id, list.Name)).ToArray(), list => list.Name, search);

    public Task<OperationResult<IReadOnlyList<AccountFieldItem>>> GetFieldsAsync(string? search) =>
        ReadAccountAsync("custom fields", async account => (await client.GetFieldsAsync(account, CancellationToken.None))
            .Select(field => new AccountFieldItem(field.Id, field.Title, field.Type)).ToArray(), field => field.Title, search);

    public Task<OperationResult<IReadOnlyList<AccountTagItem>>> GetTagsAsync(string? search) =>
        ReadAccountAsync("tags", async account => (await client.GetTagsAsync(account, null, CancellationToken.None))
            .Select(tag => new AccountTagItem(tag.Id, tag.Tag)).ToArray(), tag => tag.Tag, search);

    public async Task<bool> DeleteAsync(string user)
    {
        if (!state.State.Exists)
        {
            return false;
        }

        var exports = await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListExportsOfConnectionAsync(Id);
        foreach (var exportId in exports)
        {
            await GrainFactory.GetGrain<IExportGrain>(exportId).StopAsync("its connection was deleted");
            await RemoveWebhookAsync(exportId);
        }

        // ClearStateAsync erases the stored record, credentials included.
        await state.ClearStateAsync();
        state.State = new ConnectionState();
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).RemoveConnectionAsync(Id);
        await AuditAsync(user, AuditAction.Deleted, []);
        LogDeleted(Id);
        DeactivateOnIdle();
        return true;
    }

    /// <summary>
    /// The export's webhook goes with the key that could remove it: left behind, ActiveCampaign would post the list's
    /// contacts to the service for ever. A failure is logged: the connection is deleted all the same.
    /// </summary>
    private async Task RemoveWebhookAsync(string exportId)
    {
        try
        {
            await GrainFactory.GetGrain<IExportWebhookGrain>(exportId).RemoveAsync(Credentials());
        }
        catch (Exception exception)
        {
            LogWebhookNotRemoved(Id, exportId, exception.GetType().Name, exception.Message);
        }
    }

    /// <remarks>The grain is not reentrant: the read, the grant and the write are one step.</remarks>
    public async Task<long> LeaseCapacityAsync(string exportId, long exportCap, long needed)
    {
        if (!state.State.Exists)
        {
            return 0;
        }

        var leased = state.State.LeasedByExport;
        var granted = CapacityLease.GrantWithin(state.State.ProfileCap - leased.Values.Sum(), exportCap - leased.GetValueOrDefault(exportId), needed);
        if (granted > 0)
        {
            state.State.LeasedByExport[exportId] = state.State.LeasedByExport.GetValueOrDefault(exportId) + granted;
            await state.WriteStateAsync();
        }

        return granted;
    }

    public async Task ReturnCapacityAsync(string exportId, long slots)
    {
        if (slots > 0 && state.State.LeasedByExport.TryGetValue(exportId, out var leased))
        {
            state.State.LeasedByExport[exportId] = Math.Max(0, leased - slots);
            await state.WriteStateAsync();
        }
    }

    public async Task ReleaseCapacityAsync(string exportId)
    {
        if (state.State.LeasedByExport.Remove(exportId))
        {
            await state.WriteStateAsync();
        }
    }

    // Connections stored before keys had versions hold their first key.
    private int CurrentKeyVersion => Math.Max(state.State.KeyVersion, 1);

    private ProtectedCredentials? Credentials() => state.State.Exists
        ? new ProtectedCredentials(state.State.Hostname!, state.State.ProtectedApiKey!, CurrentKeyVersion, state.State.KeyRefusedAt is not null)
        : null;

    private async Task RecordKeyRefusedAsync()
    {
        state.State.KeyRefusedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        LogKeyRefused(state.State.Hostname, Id, CurrentKeyVersion);
    }

    /// <summary>Null when ActiveCampaign accepts the key; else why not, as the API answers it (422 on the field at fault).</summary>
    private async Task<OperationError?> VerifyKeyAsync(string hostname, string apiKey)
    {
        try
        {
            await client.VerifyApiKeyAsync(new ActiveCampaignAccount(hostname, apiKey), CancellationToken.None);
            return null;
        }
        catch (ActiveCampaignAuthException)
        {
            return new(OperationErrorKind.Unprocessable,
                $"ActiveCampaign at {hostname} refused the API key. Copy it again from Settings > Developer in ActiveCampaign.", "apiKey");
        }
        catch (ActiveCampaignHostRefusedException refused)
        {
            return new(OperationErrorKind.Unprocessable, refused.Message, "hostname");
        }
        catch (ActiveCampaignCircuitOpenException open)
        {
            return new(OperationErrorKind.Unprocessable,
                $"ActiveCampaign at {hostname} is failing right now, so the API key could not be verified; try again in {Math.Ceiling(open.RetryAfter.TotalSeconds)} s.", "hostname");
        }
        catch (Exception exception) when (exception is ActiveCampaignException or HttpRequestException or TaskCanceledException)
        {
            LogKeyNotVerified(Id, hostname, exception.GetType().Name);
            return new(OperationErrorKind.Unprocessable,
                $"Could not reach ActiveCampaign at {hostname} to verify the API key. Check the hostname.", "hostname");
        }
    }

    /// <summary>
    /// Reads from the account with the connection's key; a refused key is recorded like an export's report of it.
    /// Answers are kept <see cref="PickerCacheTime"/> and searched here: the grain takes one call at a time, so a storm of
    /// picker requests costs the account one read per minute, not its exports' request budget.
    /// </summary>
    private async Task<OperationResult<IReadOnlyList<T>>> ReadAccountAsync<T>(
        string what, Func<ActiveCampaignAccount, Task<T[]>> read, Func<T, string> name, string? search)
    {
        if (!state.State.Exists)
        {
            return OperationResult<IReadOnlyList<T>>.Fail(OperationErrorKind.NotFound, $"Connection '{Id}' does not exist.");
        }

        if (_pickerCache.TryGetValue(what, out var cached) && time.GetUtcNow() - cached.At < PickerCacheTime)
        {
            return OperationResult<IReadOnlyList<T>>.Ok(CatalogSearch.Filter((T[])cached.Items, name, search));
        }

        var hostname = state.State.Hostname!;
        try
        {
            var items = await read(new ActiveCampaignAccount(hostname, protector.Unprotect(state.State.ProtectedApiKey!)));
            _pickerCache[what] = (time.GetUtcNow(), items);
            return OperationResult<IReadOnlyList<T>>.Ok(CatalogSearch.Filter(items, name, search));
        }
        catch (ActiveCampaignAuthException)
        {
            if (state.State.KeyRefusedAt is null)
            {
                await RecordKeyRefusedAsync();
            }

            return OperationResult<IReadOnlyList<T>>.Fail(OperationErrorKind.Unprocessable,
                $"ActiveCampaign at {hostname} refused this connection's API key, so its {what} cannot be read. Save a new key: PATCH /api/connections/{Id} with \"apiKey\".", "apiKey");
        }
        catch (Exception exception) when (exception is ActiveCampaignException or HttpRequestException or TaskCanceledException)
        {
            LogAccountNotRead(what, Id, hostname, exception.GetType().Name);
            return OperationResult<IReadOnlyList<T>>.Fail(OperationErrorKind.Unavailable,
                $"ActiveCampaign at {hostname} did not answer with its {what} ({exception.Message}). Try again in a minute.");
        }
    }

    private ConnectionView ToView() => new(
        Id, state.State.DisplayName!, state.State.Hostname!, state.State.ApiKeyHint!, state.State.AllowContributors,
        state.State.DataPrivacyConsent, state.State.ProfileCap, state.State.ExportUsers, state.State.CreatedAt,
        CurrentKeyVersion, state.State.KeyVerifiedAt ?? state.State.CreatedAt, state.State.KeyRefusedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} to {Hostname} created by {User}")]
    private partial void LogCreated(string connectionId, string hostname, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} changed by {User}: {Fields}")]
    private partial void LogChanged(string connectionId, string user, string fields);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: the ActiveCampaign webhook of export {ExportId} could not be removed: {Error}: {Message}")]
    private partial void LogWebhookNotRemoved(string connectionId, string exportId, string error, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} deleted and its credentials erased")]
    private partial void LogDeleted(string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ActiveCampaign account {Hostname} refused the API key of connection {ConnectionId} (key version {KeyVersion})")]
    private partial void LogKeyRefused(string? hostname, string connectionId, int keyVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not verify the API key of connection {ConnectionId} at {Hostname}: {Error}")]
    private partial void LogKeyNotVerified(string connectionId, string hostname, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the {What} of connection {ConnectionId} at {Hostname}: {Error}")]
    private partial void LogAccountNotRead(string what, string connectionId, string hostname, string error);
}

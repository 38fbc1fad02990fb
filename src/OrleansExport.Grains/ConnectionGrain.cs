using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Membership;

namespace OrleansExport.Grains;

[GenerateSerializer]
public sealed class ConnectionState
{
    [Id(0)] public string? DisplayName { get; set; }
    [Id(1)] public string? Hostname { get; set; }
    [Id(2)] public string? ProtectedApiKey { get; set; }
    [Id(3)] public string? ApiKeyHint { get; set; }
    [Id(4)] public bool AllowContributors { get; set; }
    [Id(5)] public bool DataPrivacyConsent { get; set; }
    [Id(6)] public long? ProfileCap { get; set; }
    [Id(7)] public List<string> ExportUsers { get; set; } = [];
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Profiles of the cap leased to each export.</summary>
    [Id(9)] public Dictionary<string, long> LeasedByExport { get; set; } = [];

    public bool Exists => ProtectedApiKey is not null;
}

public sealed class ConnectionGrain(
    [PersistentState("connection", Constants.ExportStore)] IPersistentState<ConnectionState> state,
    IActiveCampaignClient client,
    ApiKeyProtector protector,
    IOptions<ActiveCampaignOptions> options,
    ILogger<ConnectionGrain> logger) : Grain, IConnectionGrain
{
    public const int MaxDisplayNameLength = 200;
    public const int MaxApiKeyLength = 512;

    private string Id => this.GetPrimaryKeyString();

    public async Task<OperationResult<ConnectionView>> CreateAsync(ConnectionRequest request)
    {
        if (state.State.Exists)
        {
            return OperationResult<ConnectionView>.Fail(OperationErrorKind.Conflict, $"Connection '{Id}' already exists.");
        }

        if (Validate(request) is { } invalid)
        {
            return new(null, invalid);
        }

        var hostname = HostnameRules.Normalize(request.Hostname);
        try
        {
            await client.VerifyApiKeyAsync(new ActiveCampaignAccount(hostname, request.ApiKey), CancellationToken.None);
        }
        catch (ActiveCampaignAuthException)
        {
            return OperationResult<ConnectionView>.Fail(OperationErrorKind.Unprocessable,
                $"ActiveCampaign at {hostname} refused the API key. Copy it again from Settings > Developer in ActiveCampaign.", "apiKey");
        }
        catch (ActiveCampaignHostRefusedException refused)
        {
            return OperationResult<ConnectionView>.Fail(OperationErrorKind.Unprocessable, refused.Message, "hostname");
        }
        catch (ActiveCampaignCircuitOpenException open)
        {
            return OperationResult<ConnectionView>.Fail(OperationErrorKind.Unprocessable,
                $"ActiveCampaign at {hostname} is failing right now, so the API key could not be verified; try again in {Math.Ceiling(open.RetryAfter.TotalSeconds)} s.", "hostname");
        }
        catch (Exception exception) when (exception is ActiveCampaignException or HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("Could not verify the API key of connection {ConnectionId} at {Hostname}: {Error}", Id, hostname, exception.GetType().Name);
            return OperationResult<ConnectionView>.Fail(OperationErrorKind.Unprocessable,
                $"Could not reach ActiveCampaign at {hostname} to verify the API key. Check the hostname.", "hostname");
        }

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
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).AddConnectionAsync(Id);
        logger.LogInformation("Connection {ConnectionId} to {Hostname} created by {User}", Id, hostname, request.CreatedBy);
        return OperationResult<ConnectionView>.Ok(ToView());
    }

    private OperationError? Validate(ConnectionRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Length > MaxDisplayNameLength)
        {
            return new(OperationErrorKind.Invalid, $"displayName is required (at most {MaxDisplayNameLength} characters).", "displayName");
        }

        if (HostnameRules.Validate(request.Hostname ?? "", options.Value) is { } hostError)
        {
            return new(OperationErrorKind.Invalid, hostError, "hostname");
        }

        if (string.IsNullOrWhiteSpace(request.ApiKey) || request.ApiKey.Length > MaxApiKeyLength)
        {
            return new(OperationErrorKind.Invalid, "apiKey is required: the API key from Settings > Developer in ActiveCampaign.", "apiKey");
        }

        if (!request.DataPrivacyConsent)
        {
            return new(OperationErrorKind.Invalid, "dataPrivacyConsent must be true: agree to the data privacy and compliance notice to connect.", "dataPrivacyConsent");
        }

        if (request.ProfileCap is < 1)
        {
            return new(OperationErrorKind.Invalid, "profileCap must be a positive number of profiles, or null for no connection-wide cap.", "profileCap");
        }

        return null;
    }

    public Task<ConnectionView?> GetAsync() => Task.FromResult(state.State.Exists ? ToView() : null);

    public Task<ProtectedCredentials?> GetCredentialsAsync() =>
        Task.FromResult(state.State.Exists ? new ProtectedCredentials(state.State.Hostname!, state.State.ProtectedApiKey!) : null);

    public async Task<bool> DeleteAsync()
    {
        if (!state.State.Exists)
        {
            return false;
        }

        var exports = await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListExportsOfConnectionAsync(Id);
        foreach (var exportId in exports)
        {
            await GrainFactory.GetGrain<IExportGrain>(exportId).StopAsync("its connection was deleted");
        }

        // ClearStateAsync erases the stored record, credentials included.
        await state.ClearStateAsync();
        state.State = new ConnectionState();
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).RemoveConnectionAsync(Id);
        logger.LogInformation("Connection {ConnectionId} deleted and its credentials erased", Id);
        DeactivateOnIdle();
        return true;
    }

    public async Task<long> LeaseCapacityAsync(string exportId, long needed, long wanted)
    {
        if (!state.State.Exists)
        {
            return 0;
        }

        var granted = CapacityLease.Grant(state.State.ProfileCap - state.State.LeasedByExport.Values.Sum(), needed, wanted);
        if (granted > 0)
        {
            state.State.LeasedByExport[exportId] = state.State.LeasedByExport.GetValueOrDefault(exportId) + granted;
            await state.WriteStateAsync();
        }

        return granted;
    }

    public async Task ReleaseCapacityAsync(string exportId)
    {
        if (state.State.LeasedByExport.Remove(exportId))
        {
            await state.WriteStateAsync();
        }
    }

    private ConnectionView ToView() => new(
        Id, state.State.DisplayName!, state.State.Hostname!, state.State.ApiKeyHint!, state.State.AllowContributors,
        state.State.DataPrivacyConsent, state.State.ProfileCap, state.State.ExportUsers, state.State.CreatedAt);
}

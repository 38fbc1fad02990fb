namespace OrleansExport;

/// <summary>Credentials, who may use them and the profile cap of one ActiveCampaign connection.</summary>
public interface IConnectionGrain : IGrainWithStringKey
{
    /// <summary>Validates, verifies the key against ActiveCampaign, encrypts and saves.</summary>
    Task<OperationResult<ConnectionView>> CreateAsync(ConnectionRequest request);

    Task<ConnectionView?> GetAsync();

    /// <summary>
    /// Changes the display name, who may use it, the profile cap or the key (docs/api.md: PATCH /api/connections/{id}).
    /// A new key is verified against ActiveCampaign first (nothing changes if it is refused); once saved, its
    /// <see cref="ConnectionView.KeyVersion"/> is one more and it is no longer refused.
    /// </summary>
    Task<OperationResult<ConnectionView>> UpdateAsync(ConnectionPatch patch, string user);

    /// <summary>Hostname, the still-encrypted key, its version and whether it is known to be refused; null once the connection is deleted.</summary>
    Task<ProtectedCredentials?> GetCredentialsAsync();

    /// <summary>
    /// ActiveCampaign refused key <paramref name="keyVersion"/> (<c>ActiveCampaignAuthException</c>): records it, unless a
    /// newer key was saved meanwhile, so that every export of the connection holds off until a new key is saved.
    /// Returns the credentials as they are now (a newer key may already be there to use).
    /// </summary>
    Task<ProtectedCredentials?> ReportKeyRefusedAsync(int keyVersion);

    /// <summary>Every list of the account whose name contains <paramref name="search"/> (any case), or every list.</summary>
    Task<OperationResult<IReadOnlyList<AccountListItem>>> GetListsAsync(string? search);

    /// <summary>Every custom contact field whose title contains <paramref name="search"/> (any case), or every field.</summary>
    Task<OperationResult<IReadOnlyList<AccountFieldItem>>> GetFieldsAsync(string? search);

    /// <summary>Every tag whose name contains <paramref name="search"/> (any case), or every tag.</summary>
    Task<OperationResult<IReadOnlyList<AccountTagItem>>> GetTagsAsync(string? search);

    /// <summary>Erases the credentials and stops the connection's exports; <paramref name="user"/> is recorded in the audit trail.</summary>
    Task<bool> DeleteAsync(string user);

    /// <summary>
    /// Grants a shard of an export new-member slots within both the connection's profileCap and the export's own cap
    /// (<paramref name="exportCap"/>, counted per export here), in one step so that concurrent shards and exports
    /// cannot overshoot: at least <paramref name="needed"/> while the caps allow, a chunk more while plenty remains
    /// (so the cap costs no call per contact).
    /// </summary>
    Task<long> LeaseCapacityAsync(string exportId, long exportCap, long needed);

    Task ReleaseCapacityAsync(string exportId);

    /// <summary>A shard of an export gives back slots it leased and no longer uses (members left).</summary>
    Task ReturnCapacityAsync(string exportId, long slots);
}

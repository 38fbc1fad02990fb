namespace OrleansExport;

/// <summary>What an admin enters to connect an ActiveCampaign account.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectionRequest(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string Hostname,
    [property: Id(2)] string ApiKey,
    [property: Id(3)] bool AllowContributors,
    [property: Id(4)] bool DataPrivacyConsent,
    [property: Id(5)] long? ProfileCap,
    [property: Id(6)] string CreatedBy);

/// <summary>A change to a connection (PATCH): null members stay as they are; the hostname never changes.</summary>
/// <param name="ApiKey">A new key: verified against ActiveCampaign before it replaces the old one.</param>
/// <param name="ChangeProfileCap">True when <see cref="ProfileCap"/> is to be set, even to null (no cap).</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionPatch(
    [property: Id(0)] string? DisplayName = null,
    [property: Id(1)] string? ApiKey = null,
    [property: Id(2)] bool? AllowContributors = null,
    [property: Id(3)] bool ChangeProfileCap = false,
    [property: Id(4)] long? ProfileCap = null);

/// <summary>A connection as shown to users: never the key, at most a masked hint.</summary>
/// <param name="KeyVersion">1 for the key the connection was created with, one more for each key saved since.</param>
/// <param name="KeyVerifiedAt">When ActiveCampaign last accepted the key on its verification (creation or a new key).</param>
/// <param name="KeyRefusedAt">When ActiveCampaign refused the current key; null while it is not known to be refused.</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionView(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Hostname,
    [property: Id(3)] string ApiKeyHint,
    [property: Id(4)] bool AllowContributors,
    [property: Id(5)] bool DataPrivacyConsent,
    [property: Id(6)] long? ProfileCap,
    [property: Id(7)] IReadOnlyList<string> ExportUsers,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] int KeyVersion,
    [property: Id(10)] DateTimeOffset KeyVerifiedAt,
    [property: Id(11)] DateTimeOffset? KeyRefusedAt);

/// <summary>The credentials an export needs, with the key still encrypted (Data Protection).</summary>
/// <param name="KeyVersion">Which key this is (see <see cref="ConnectionView.KeyVersion"/>): report a refusal with it.</param>
/// <param name="KeyRefused">ActiveCampaign refused this key: send nothing with it until a new key is saved.</param>
[GenerateSerializer, Immutable]
public sealed record ProtectedCredentials(
    [property: Id(0)] string Hostname,
    [property: Id(1)] string ProtectedApiKey,
    [property: Id(2)] int KeyVersion = 0,
    [property: Id(3)] bool KeyRefused = false);

/// <summary>A list of the connection's ActiveCampaign account (pickers).</summary>
[GenerateSerializer, Immutable]
public sealed record AccountListItem([property: Id(0)] string Id, [property: Id(1)] string Name);

/// <summary>A custom contact field of the connection's ActiveCampaign account (pickers).</summary>
[GenerateSerializer, Immutable]
public sealed record AccountFieldItem([property: Id(0)] string Id, [property: Id(1)] string Title, [property: Id(2)] string Type);

/// <summary>A tag of the connection's ActiveCampaign account (pickers).</summary>
[GenerateSerializer, Immutable]
public sealed record AccountTagItem([property: Id(0)] string Id, [property: Id(1)] string Tag);

/// <summary>A result or a reason, for grain calls whose failure a user must read.</summary>
[GenerateSerializer, Immutable]
public sealed record OperationResult<T>(
    [property: Id(0)] T? Value,
    [property: Id(1)] OperationError? Error)
{
    public static OperationResult<T> Ok(T value) => new(value, null);

    public static OperationResult<T> Fail(OperationErrorKind kind, string detail, string? field = null) => new(default, new OperationError(kind, detail, field));
}

public enum OperationErrorKind
{
    Invalid,
    Unprocessable,
    NotFound,
    Conflict,
    Forbidden,
    /// <summary>ActiveCampaign could not be reached or kept failing: try again later.</summary>
    Unavailable,
}

[GenerateSerializer, Immutable]
public sealed record OperationError(
    [property: Id(0)] OperationErrorKind Kind,
    [property: Id(1)] string Detail,
    [property: Id(2)] string? Field);

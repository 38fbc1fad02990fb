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

/// <summary>A connection as shown to users: never the key, at most a masked hint.</summary>
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
    [property: Id(8)] DateTimeOffset CreatedAt);

/// <summary>The credentials an export needs, with the key still encrypted (Data Protection).</summary>
[GenerateSerializer, Immutable]
public sealed record ProtectedCredentials(
    [property: Id(0)] string Hostname,
    [property: Id(1)] string ProtectedApiKey);

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
}

[GenerateSerializer, Immutable]
public sealed record OperationError(
    [property: Id(0)] OperationErrorKind Kind,
    [property: Id(1)] string Detail,
    [property: Id(2)] string? Field);

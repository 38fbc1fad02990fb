using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Connections;

/// <summary>What a connection's fields must be, when it is created and when it is changed.</summary>
public static class ConnectionRules
{
    public const int MaxDisplayNameLength = 200;
    public const int MaxApiKeyLength = 512;

    public static OperationError? ValidateCreate(ConnectionRequest request, ActiveCampaignOptions options)
    {
        if (DisplayNameProblem(request.DisplayName) is { } displayName)
        {
            return displayName;
        }

        if (HostnameRules.Validate(request.Hostname ?? "", options) is { } hostError)
        {
            return new(OperationErrorKind.Invalid, hostError, "hostname");
        }

        if (ApiKeyProblem(request.ApiKey) is { } apiKey)
        {
            return apiKey;
        }

        if (!request.DataPrivacyConsent)
        {
            return new(OperationErrorKind.Invalid, "dataPrivacyConsent must be true: agree to the data privacy and compliance notice to connect.", "dataPrivacyConsent");
        }

        return ProfileCapProblem(request.ProfileCap);
    }

    /// <summary>Only the members the patch sets are checked: the others keep their (valid) values.</summary>
    public static OperationError? ValidatePatch(ConnectionPatch patch) =>
        (patch.DisplayName is null ? null : DisplayNameProblem(patch.DisplayName))
        ?? (patch.ApiKey is null ? null : ApiKeyProblem(patch.ApiKey))
        ?? (patch.ChangeProfileCap ? ProfileCapProblem(patch.ProfileCap) : null);

    private static OperationError? DisplayNameProblem(string? displayName) =>
        string.IsNullOrWhiteSpace(displayName) || displayName.Length > MaxDisplayNameLength
            ? new(OperationErrorKind.Invalid, $"displayName is required (at most {MaxDisplayNameLength} characters).", "displayName")
            : null;

    private static OperationError? ApiKeyProblem(string? apiKey) =>
        string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > MaxApiKeyLength
            ? new(OperationErrorKind.Invalid, "apiKey is required: the API key from Settings > Developer in ActiveCampaign.", "apiKey")
            : null;

    private static OperationError? ProfileCapProblem(long? profileCap) =>
        profileCap is < 1
            ? new(OperationErrorKind.Invalid, "profileCap must be a positive number of profiles, or null for no connection-wide cap.", "profileCap")
            : null;
}

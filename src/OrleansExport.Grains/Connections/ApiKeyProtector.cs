using Microsoft.AspNetCore.DataProtection;

namespace OrleansExport.Grains.Connections;

/// <summary>Encrypts ActiveCampaign API keys at rest with ASP.NET Core Data Protection.</summary>
public sealed class ApiKeyProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("OrleansExport.ActiveCampaignApiKey.v1");

    public string Protect(string apiKey) => _protector.Protect(apiKey);

    public string Unprotect(string protectedApiKey) => _protector.Unprotect(protectedApiKey);

    /// <summary>What users may see of a key: its last four characters.</summary>
    public static string Hint(string apiKey) => "****" + (apiKey.Length > 8 ? apiKey[^4..] : "");
}

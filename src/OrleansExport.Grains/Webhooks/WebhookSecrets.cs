using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansExport.Grains.Webhooks;

/// <summary>The secret in an export's webhook URL: 32 random bytes, base64url (43 characters).</summary>
public static class WebhookSecrets
{
    public const int Length = 43;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The key of the secret's <see cref="IWebhookSecretGrain"/>: its SHA-256, never the secret itself, since Orleans writes
    /// grain ids into traces (the call's target), its own log lines and storage keys.
    /// </summary>
    public static string GrainKey(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>
    /// The export whose webhook posts to <paramref name="secret"/>, or null. A secret stored under its own text (before
    /// secrets were keyed by their hash) is found there once and moved to its hash.
    /// </summary>
    public static async Task<string?> FindExportAsync(IGrainFactory grains, string secret)
    {
        var hashed = grains.GetGrain<IWebhookSecretGrain>(GrainKey(secret));
        if (await hashed.GetExportIdAsync() is { } exportId)
        {
            return exportId;
        }

        var stored = grains.GetGrain<IWebhookSecretGrain>(secret);
        if (await stored.GetExportIdAsync() is not { } storedExportId)
        {
            return null;
        }

        await hashed.SetAsync(storedExportId);
        await stored.ClearAsync();
        return storedExportId;
    }

    /// <summary>Whether <paramref name="candidate"/> has the shape of a secret: anything else is turned away without a look-up.</summary>
    public static bool HasTheShape(string candidate) =>
        candidate.Length == Length && candidate.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

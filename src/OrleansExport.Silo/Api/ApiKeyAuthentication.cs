using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Api;

public static class Roles
{
    public const string Admin = "Admin";
    public const string Contributor = "Contributor";
    public const string Viewer = "Viewer";

    /// <summary>For upstream systems: may post events and nothing else.</summary>
    public const string Ingest = "Ingest";

    public static readonly string[] All = [Admin, Contributor, Viewer, Ingest];

    /// <summary>The roles that may read the API: every role but <see cref="Ingest"/>.</summary>
    public static readonly string[] Readers = [Admin, Contributor, Viewer];
}

/// <summary>One configured API key (<c>Api:Keys:N</c>).</summary>
public sealed class ApiKeyEntry
{
    public string Key { get; set; } = "";
    public string Role { get; set; } = "";
    public string User { get; set; } = "";

    /// <summary>The key's segment scope: exact ids, or prefixes ending in <c>*</c>; none: every segment.</summary>
    public List<string> Segments { get; set; } = [];
}

public sealed class ApiKeyOptions
{
    public List<ApiKeyEntry> Keys { get; set; } = [];
}

/// <summary><c>Authorization: Bearer &lt;key&gt;</c> against the configured keys; each key carries a role and a user name.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(Match(keys.Value, header["Bearer ".Length..].Trim(), SchemeName));
    }

    /// <summary>The configured key equal to <paramref name="presentedKey"/>, as a signed-in user with its role.</summary>
    public static AuthenticateResult Match(ApiKeyOptions keys, string presentedKey, string scheme)
    {
        if (ApiKeyMatcher.IndexOf(keys.Keys.Select(entry => entry.Key).ToList(), presentedKey) is not { } index)
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        var entry = keys.Keys[index];
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, entry.User), new Claim(ClaimTypes.Role, entry.Role), new Claim(Access.KeyIdClaim, $"key-{index}"),
                .. entry.Segments.Select(segment => new Claim(Access.SegmentScopeClaim, segment)),
            ], scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), scheme));
    }
}

/// <summary>
/// Finds a presented key among the configured ones in time that depends on neither: both sides are hashed
/// to 32 bytes first (a plain fixed-time comparison returns at once on a length mismatch, revealing the
/// key's length) and every key is compared, so the time taken does not tell which entry matched either.
/// </summary>
public static class ApiKeyMatcher
{
    public static int? IndexOf(IReadOnlyList<string> configured, string presented)
    {
        var presentedDigest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        int? match = null;
        for (var index = 0; index < configured.Count; index++)
        {
            if (CryptographicOperations.FixedTimeEquals(presentedDigest, SHA256.HashData(Encoding.UTF8.GetBytes(configured[index]))))
            {
                match ??= index;
            }
        }

        return match;
    }
}

public static class ApiKeyConfiguration
{
    /// <summary>
    /// Reads and validates <c>Api:Keys</c>. With none configured, Development gets one generated Admin key
    /// (returned so the host prints it once); anywhere else that is a configuration error.
    /// </summary>
    public static (ApiKeyOptions Options, string? GeneratedAdminKey) Read(IConfiguration configuration, bool isDevelopment)
    {
        var options = Hosting.SettingsBinder.Get<ApiKeyOptions>(configuration.GetSection("Api"));
        var result = new ApiKeyOptionsValidator(isDevelopment).Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ApiKeyOptions), typeof(ApiKeyOptions), result.Failures);
        }

        foreach (var (entry, index) in options.Keys.Select((e, i) => (e, i)).Where(pair => string.IsNullOrWhiteSpace(pair.e.User)))
        {
            entry.User = $"key-{index}";
        }

        if (options.Keys.Count > 0)
        {
            return (options, null);
        }

        var generated = "oe_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        options.Keys.Add(new ApiKeyEntry { Key = generated, Role = Roles.Admin, User = "admin" });
        return (options, generated);
    }
}

/// <summary>The rules of <c>Api:Keys</c>; the first problem only, as for <see cref="Hosting.HostSettingsValidator"/>.</summary>
public sealed class ApiKeyOptionsValidator(bool isDevelopment) : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options) =>
        Problems(options).FirstOrDefault() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    private IEnumerable<string> Problems(ApiKeyOptions options)
    {
        foreach (var (entry, index) in options.Keys.Select((e, i) => (e, i)))
        {
            if (string.IsNullOrWhiteSpace(entry.Key) || entry.Key.Length < 16)
            {
                yield return $"Api:Keys:{index}:Key must be at least 16 characters.";
            }

            if (!Roles.All.Contains(entry.Role, StringComparer.Ordinal))
            {
                yield return $"Api:Keys:{index}:Role is '{entry.Role}'; use Admin, Contributor, Viewer or Ingest.";
            }

            foreach (var (segment, position) in entry.Segments.Select((s, i) => (s, i)))
            {
                if (SegmentScope.InvalidEntry(segment) is { } problem)
                {
                    yield return $"Api:Keys:{index}:Segments:{position} {problem}.";
                }
            }
        }

        if (options.Keys.Count == 0 && !isDevelopment)
        {
            yield return "Api:Keys is empty: configure at least one key (Api:Keys:0:Key, Api:Keys:0:Role, Api:Keys:0:User).";
        }
    }
}

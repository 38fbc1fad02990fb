using System.Security.Claims;

namespace OrleansExport.Silo.Api;

/// <summary>Who may see and use which connection (docs/api.md section 2.1).</summary>
public static class Access
{
    public const string CanRead = "CanRead";
    public const string AdminOnly = "AdminOnly";
    public const string CanWrite = "CanWrite";
    public const string CanInspect = "CanInspect";
    public const string CanIngest = "CanIngest";

    /// <summary>Claim naming which configured key authenticated the call: the rate limit's partition.</summary>
    public const string KeyIdClaim = "orleansexport:key";

    /// <summary>One claim per entry of the key's segment scope (<c>Api:Keys:N:Segments:M</c>).</summary>
    public const string SegmentScopeClaim = "orleansexport:segment";

    /// <summary>The segments the caller's key reaches.</summary>
    public static SegmentScope Scope(this ClaimsPrincipal user) =>
        SegmentScope.Of(user.FindAll(SegmentScopeClaim).Select(claim => claim.Value));

    public static string UserName(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    /// <summary>Admins and viewers see every connection; contributors only those that allow contributors.</summary>
    public static bool CanSee(this ClaimsPrincipal user, ConnectionView connection) =>
        !user.IsInRole(Roles.Contributor) || connection.AllowContributors;

    /// <summary>Admins may use every connection; contributors those that allow it; viewers none.</summary>
    public static bool CanUse(this ClaimsPrincipal user, ConnectionView connection) =>
        user.IsInRole(Roles.Admin) || (user.IsInRole(Roles.Contributor) && connection.AllowContributors);
}

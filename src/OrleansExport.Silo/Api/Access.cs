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

    /// <summary>The Orleans Dashboard (<see cref="Hosting.OperatorDashboard"/>): Admin or Viewer keys, by Bearer or Basic.</summary>
    /// <summary><c>/metrics</c> when <c>Metrics:RequireKey</c> is true.</summary>
    public const string Metrics = "Metrics";

    public const string Dashboard = "Dashboard";

    /// <summary>Claim naming which configured key authenticated the call: the rate limit's partition.</summary>
    public const string KeyIdClaim = "orleansexport:key";

    /// <summary>One claim per entry of the key's segment scope (<c>Api:Keys:N:Segments:M</c>).</summary>
    public const string SegmentScopeClaim = "orleansexport:segment";

    /// <summary>Every authorization policy of the API and the dashboard, by role (docs/api.md section 2.1).</summary>
    public static IServiceCollection AddAccessPolicies(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(CanRead, policy => policy.RequireRole(Roles.Readers))
            .AddPolicy(AdminOnly, policy => policy.RequireRole(Roles.Admin))
            .AddPolicy(CanWrite, policy => policy.RequireRole(Roles.Admin, Roles.Contributor))
            .AddPolicy(CanIngest, policy => policy.RequireRole(Roles.Admin, Roles.Ingest))
            .AddPolicy(CanInspect, policy => policy.RequireRole(Roles.Admin, Roles.Viewer))
            .AddPolicy(Dashboard, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName, BasicApiKeyAuthenticationHandler.SchemeName)
                .RequireRole(Roles.Admin, Roles.Viewer)
                // The dashboard names every grain, segments included: not for a key scoped to some of them.
                .RequireAssertion(context => !context.User.HasClaim(claim => claim.Type == SegmentScopeClaim)))
            .AddPolicy(Metrics, policy => policy
                .RequireRole(Roles.Admin, Roles.Viewer)
                // Metrics name every segment and export: not for a key scoped to some of them.
                .RequireAssertion(context => !context.User.HasClaim(claim => claim.Type == SegmentScopeClaim)));
        return services;
    }

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

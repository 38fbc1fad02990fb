using Orleans.Dashboard;
using OrleansExport.Silo.Api;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard at <c>/dashboard</c>, for keys with role Admin or Viewer: both may already read every
/// export and connection through the API, and the dashboard is read-only too (grain and silo statistics,
/// reminders, the silo's live log). Contributors, who see only some connections, get 403. A browser signs in
/// through its own Basic prompt with any user name and the key as the password; scripts may send
/// <c>Authorization: Bearer &lt;key&gt;</c> as everywhere else.
/// </summary>
public static class OperatorDashboard
{
    public const string RoutePrefix = "/dashboard";
    public const string Policy = "Dashboard";

    public static WebApplicationBuilder AddOperatorDashboard(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddDashboard());
        builder.Services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BasicApiKeyAuthenticationHandler>(BasicApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName, BasicApiKeyAuthenticationHandler.SchemeName)
            .RequireRole(Roles.Admin, Roles.Viewer)
            // The dashboard names every grain, segments included: not for a key scoped to some of them.
            .RequireAssertion(context => !context.User.HasClaim(claim => claim.Type == Access.SegmentScopeClaim)));
        return builder;
    }

    public static IEndpointConventionBuilder MapOperatorDashboard(this IEndpointRouteBuilder app) =>
        app.MapOrleansDashboard(RoutePrefix).RequireAuthorization(Policy).ExcludeFromDescription();
}

using Orleans.Dashboard;
using OrleansExport.Silo.Api;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard at <c>/dashboard</c>, for admins only: besides grain statistics it can show any grain's
/// persisted state (member emails, the encrypted credentials) and stream the silo's log. A browser signs in
/// through its own Basic prompt with any user name and an Admin API key as the password; scripts may send
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
            .RequireRole(Roles.Admin));
        return builder;
    }

    public static IEndpointConventionBuilder MapOperatorDashboard(this IEndpointRouteBuilder app) =>
        app.MapOrleansDashboard(RoutePrefix).RequireAuthorization(Policy).ExcludeFromDescription();
}

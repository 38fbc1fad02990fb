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
    public const string Policy = Access.Dashboard;

    public static WebApplicationBuilder AddOperatorDashboard(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddDashboard());
        builder.Services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BasicApiKeyAuthenticationHandler>(BasicApiKeyAuthenticationHandler.SchemeName, null);
        return builder;
    }

    public static IEndpointConventionBuilder MapOperatorDashboard(this IEndpointRouteBuilder app) =>
        app.MapOrleansDashboard(RoutePrefix).RequireAuthorization(Policy).ExcludeFromDescription();

    /// <summary>
    /// The dashboard's grain-state route activates the grain it is asked about and returns its state: only for Admin
    /// keys, and only for the project's own grain types (never Orleans' or a library's). Goes after authorization, which
    /// has put the dashboard's Bearer or Basic principal on the request.
    /// </summary>
    public static IApplicationBuilder UseDashboardGrainStateGuard(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(RoutePrefix + "/GrainState", StringComparison.OrdinalIgnoreCase))
            {
                var grainType = context.Request.Query["grainType"].ToString();
                var refusal = !context.User.IsInRole(Roles.Admin)
                    ? "The dashboard's grain state is for Admin keys only."
                    : !grainType.StartsWith(OwnGrainTypePrefix, StringComparison.Ordinal)
                        ? $"The dashboard shows the state of this service's own grains only (types starting with {OwnGrainTypePrefix})."
                        : null;
                if (refusal is not null)
                {
                    await Problems.Forbidden(refusal).ExecuteAsync(context);
                    return;
                }
            }

            await next(context);
        });

    private const string OwnGrainTypePrefix = "OrleansExport.";
}

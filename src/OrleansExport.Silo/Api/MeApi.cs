using System.Security.Claims;

namespace OrleansExport.Silo.Api;

/// <summary>Who the presented API key belongs to, so that the web console can sign in and show what the role allows.</summary>
public static class MeApi
{
    public static void MapMeApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/me", (ClaimsPrincipal user) => Results.Ok(new MeResponse(user.UserName(), Roles.Readers.First(user.IsInRole))))
            .RequireAuthorization(Access.CanRead).WithTags("Me").WithSummary("Who this key belongs to, and its role").Produces<MeResponse>();
}

/// <summary>The caller's user name and role (<c>Admin</c>, <c>Contributor</c> or <c>Viewer</c>).</summary>
public sealed record MeResponse(string User, string Role);

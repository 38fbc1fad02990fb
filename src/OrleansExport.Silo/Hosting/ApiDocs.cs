using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansExport.Silo.Api;
using Scalar.AspNetCore;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> and its interactive reference at <c>/docs</c> (Scalar), both
/// without a key. Request and response types come from each endpoint's metadata in <c>Api/</c>; this adds what
/// every endpoint shares: the bearer scheme, and the 401 and 403 answers of endpoints that need a key.
/// </summary>
public static class ApiDocs
{
    public const string DocsRoute = "/docs";
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "OrleansExport API";
                document.Info.Description =
                    "Keeps ActiveCampaign lists in step with customer segments. Every /api call needs `Authorization: Bearer <key>`; " +
                    "keys are configured with a role (Admin, Contributor or Viewer). Errors are RFC 9457 problem details whose " +
                    "`detail` says what to do and, for a bad field, whose `field` names it.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key from configuration (Api:Keys:N:Key), sent as `Authorization: Bearer <key>`.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeAuthorizationAsync);
        });

    public static void MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        // Self-contained: the bundle is served from the package; no CDN fonts, telemetry or hosted AI chat.
        app.MapScalarApiReference(DocsRoute, options =>
        {
            options.WithTitle("OrleansExport API").AddPreferredSecuritySchemes(BearerScheme).HideDeveloperTools().DisableAgent();
            options.DefaultFonts = false;
            options.Telemetry = false;
        });
    }

    private static Task DescribeAuthorizationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Count == 0)
        {
            return Task.CompletedTask;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
        operation.Responses ??= new OpenApiResponses();
        // The component exists: every group has endpoints that declare problem answers.
        var problem = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document);
        operation.Responses.TryAdd("401", Problem("No key, or a key that is not configured.", problem));
        // Every policy leaves some role out (CanRead: Ingest keys).
        operation.Responses.TryAdd("403", Problem("The key's role may not make this call.", problem));

        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
    };
}

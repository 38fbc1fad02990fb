using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansExport.Silo.Api;

namespace OrleansExport.ResilienceTests;

/// <summary>An exception that escapes an endpoint becomes problem+json that reveals nothing of the code, in every environment.</summary>
public sealed class ExceptionHandlingTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task UnexpectedException_Is500ProblemWithATraceIdAndNoInternals(string environment)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        await using var app = builder.Build();
        app.UseExceptionHandler();
        app.MapGet("/boom", (HttpContext _) => throw new InvalidOperationException("internal detail at /srv/secret/path"));
        app.MapGet("/bad", (int limit) => Results.Ok(limit));
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        var boom = await client.GetAsync("/boom");
        var bad = await client.GetAsync("/bad?limit=abc");

        Assert.Equal(HttpStatusCode.InternalServerError, boom.StatusCode);
        Assert.Equal("application/problem+json", boom.Content.Headers.ContentType?.MediaType);
        var text = await boom.Content.ReadAsStringAsync();
        Assert.Contains("trace id", text);
        Assert.DoesNotContain("internal detail", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain("   at ", text);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.DoesNotContain("   at ", await bad.Content.ReadAsStringAsync());
        await app.StopAsync();
    }
}

using Microsoft.AspNetCore.Diagnostics;

namespace OrleansExport.Silo.Api;

/// <summary>
/// Turns what escapes an endpoint into problem+json that says nothing about the code: a request the
/// framework could not read gets its 4xx, anything else a 500 with the trace id to quote. The exception
/// itself (type, message, stack trace) goes only to the log.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception is BadHttpRequestException badRequest
            ? (badRequest.StatusCode, "The request is not valid", badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large."
                : "The request could not be read: check the route, query parameters and body against /openapi/v1.json.")
            : (StatusCodes.Status500InternalServerError, "Unexpected error",
                $"The service failed to handle the request; nothing secret was returned. Quote trace id {context.TraceIdentifier} when reporting it.");
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}

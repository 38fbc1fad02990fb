using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansExport.Simulator;

internal static class HttpContextExtensions
{
    public static Task WriteJsonAsync<T>(this HttpContext context, int statusCode, T body, JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(body, typeInfo, contentType: null, context.RequestAborted);
    }

    public static Task WriteMessageAsync(this HttpContext context, int statusCode, string message) =>
        context.WriteJsonAsync(statusCode, new MessageResponse(message), SimulatorJson.Default.MessageResponse);

    /// <summary>
    /// 429 with <c>Retry-After</c> in whole seconds (HTTP allows nothing finer), rounded up, and the simulator
    /// extension <c>X-Retry-After-Ms</c> with the exact wait: with a large TimeScale, waits are far below a second.
    /// </summary>
    public static Task WriteThrottledAsync(this HttpContext context, TimeSpan retryAfter, string message)
    {
        var headers = context.Response.Headers;
        headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        headers["X-Retry-After-Ms"] = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        return context.WriteMessageAsync(StatusCodes.Status429TooManyRequests, message);
    }

    /// <summary>422 with ActiveCampaign's <c>errors</c> array: one error about the member at <paramref name="pointer"/>.</summary>
    public static Task WriteErrorAsync(this HttpContext context, string title, string code, string pointer) =>
        context.WriteJsonAsync(
            StatusCodes.Status422UnprocessableEntity,
            new ErrorsEnvelope([new ApiError(title, "", code, new ErrorSource(pointer))]),
            SimulatorJson.Default.ErrorsEnvelope);

    /// <summary>
    /// What ActiveCampaign has been seen to answer an expired or revoked key with: 200 and its HTML login page,
    /// where a client expects JSON.
    /// </summary>
    public static Task WriteLoginPageAsync(this HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(LoginPage, context.RequestAborted);
    }

    private const string LoginPage =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in - ActiveCampaign</title></head>" +
        "<body><form method=\"post\" action=\"/admin/index.php\"><label>Username <input name=\"user\"></label>" +
        "<label>Password <input name=\"pass\" type=\"password\"></label><button>Log in</button></form></body></html>";

    /// <summary>The body as <typeparamref name="T"/>, or null when it is empty, <c>null</c> or not valid JSON for it.</summary>
    public static async Task<T?> ReadJsonOrNullAsync<T>(this HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? RouteValue(this HttpContext context, string name) => context.Request.RouteValues[name] as string;
}

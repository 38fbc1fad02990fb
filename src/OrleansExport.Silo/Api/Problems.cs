using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansExport.Silo.Api;

/// <summary>RFC 9457 problem answers with a detail a person can act on.</summary>
public static class Problems
{
    public static IResult From(OperationError error) => error.Kind switch
    {
        OperationErrorKind.Invalid => Create(StatusCodes.Status400BadRequest, "The request is not valid", error.Detail, error.Field),
        OperationErrorKind.Unprocessable => Create(StatusCodes.Status422UnprocessableEntity, "ActiveCampaign did not accept it", error.Detail, error.Field),
        OperationErrorKind.NotFound => Create(StatusCodes.Status404NotFound, "Not found", error.Detail, error.Field),
        OperationErrorKind.Conflict => Create(StatusCodes.Status409Conflict, "Conflict", error.Detail, error.Field),
        OperationErrorKind.Unavailable => Create(StatusCodes.Status502BadGateway, "ActiveCampaign did not answer", error.Detail, error.Field),
        _ => Create(StatusCodes.Status403Forbidden, "Forbidden", error.Detail, error.Field),
    };

    public static IResult BadRequest(string detail, string? field = null) => Create(StatusCodes.Status400BadRequest, "The request is not valid", detail, field);

    public static IResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail, null);

    public static IResult Forbidden(string detail) => Create(StatusCodes.Status403Forbidden, "Forbidden", detail, null);

    public static IResult Create(int status, string title, string detail, string? field) =>
        Results.Problem(detail: detail, statusCode: status, title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    /// <summary>Largest JSON body of a connection or export; events have their own, larger limit.</summary>
    public const int MaxJsonBodyBytes = 64 * 1024;

    /// <summary>Reads a JSON body, or a 400 (413 when over <see cref="MaxJsonBodyBytes"/>) that says what is wrong with it.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, JsonSerializerOptions options) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, BadRequest("Send a JSON body with Content-Type: application/json."));
        }

        if (request.ContentLength > MaxJsonBodyBytes)
        {
            return (null, TooLarge());
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = MaxJsonBodyBytes;
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, request.HttpContext.RequestAborted);
            return value is null ? (null, BadRequest("The request body is empty.")) : (value, null);
        }
        catch (JsonException exception)
        {
            var where = exception.Path is { Length: > 1 } path ? $" at {path}" : "";
            return (null, BadRequest($"The request body is not valid JSON for this call{where}: {FirstSentence(exception.Message)}"));
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
    }

    private static IResult TooLarge() =>
        Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body is larger than {MaxJsonBodyBytes} bytes; a connection or export needs far less.", null);

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.Silo.Api;

public static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", IngestAsync).RequireAuthorization(Access.CanWrite).WithTags("Events")
            .WithSummary("Ingest a JSON array of segment events; each is accepted or rejected on its own")
            .Accepts<List<SegmentEvent>>("application/json").Produces<IngestResult>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>
    /// Takes a JSON array of events; each is accepted or rejected on its own, so one bad event never
    /// blocks the rest. Answers 202 once the accepted events are on the event stream.
    /// </summary>
    private static async Task<IResult> IngestAsync(HttpContext context, HostSettings settings, ISegmentEventPublisher publisher)
    {
        var limit = settings.MaxIngestRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException exception)
        {
            return Problems.BadRequest($"The body is not valid JSON: {exception.Message} Send a JSON array of events.");
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Problems.BadRequest("Send a JSON array of events, e.g. [{\"eventId\":...}].");
            }

            var accepted = new List<SegmentEvent>(document.RootElement.GetArrayLength());
            var rejected = new List<IngestRejection>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (SegmentEventParser.TryParse(element, out var segmentEvent, out var reason))
                {
                    accepted.Add(segmentEvent!);
                }
                else
                {
                    rejected.Add(new IngestRejection(index, reason!));
                }

                index++;
            }

            await publisher.PublishAsync(accepted, context.RequestAborted);
            return Results.Accepted(value: new IngestResult(accepted.Count, rejected));
        }
    }

    private static IResult TooLarge(long limit) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The body is larger than Ingest:MaxRequestBytes ({limit} bytes); split the events over several requests.", null);
}

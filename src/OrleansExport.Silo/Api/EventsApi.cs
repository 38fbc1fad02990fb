using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.Silo.Api;

public static class EventsApi
{
    /// <summary>How dead letters from this endpoint name their way in.</summary>
    private const string Source = "api";

    /// <summary>Most rejections an answer lists; <see cref="IngestResult.RejectedCount"/> counts the rest.</summary>
    public const int MaxListedRejections = 100;

    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", IngestAsync).RequireAuthorization(Access.CanIngest).WithTags("Events")
            .WithSummary("Ingest a JSON array of segment events (Admin or Ingest keys); each is accepted or rejected on its own, " +
                "an event outside the key's segment scope too")
            .Accepts<List<SegmentEvent>>("application/json").Produces<IngestResult>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>
    /// Takes a JSON array of events; each is accepted or rejected on its own, so one bad event never
    /// blocks the rest. Answers 202 once the accepted events are on the event stream (every segment takes
    /// its events, exported or not). Rejected events are also recorded as dead letters: malformed ones, and
    /// valid ones for a segment outside the key's scope. The answer and the dead-letter call are bounded
    /// whatever the body holds: counts beyond the first few.
    /// </summary>
    private static async Task<IResult> IngestAsync(
        HttpContext context, ClaimsPrincipal user, HostSettings settings, IOptions<IngestOptions> ingest, ISegmentEventPublisher publisher,
        SegmentAdmission admission, IGrainFactory grains, TimeProvider time)
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

            var count = document.RootElement.GetArrayLength();
            if (count > ingest.Value.MaxEventsPerRequest)
            {
                return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too many events",
                    $"The body holds {count} events, more than Ingest:MaxEventsPerRequest ({ingest.Value.MaxEventsPerRequest}); split them over several requests.", null);
            }

            var limits = ingest.Value.ToLimits();
            var scope = user.Scope();
            var now = time.GetUtcNow();
            var parsed = new List<(JsonElement Element, SegmentEvent? Event, string? Reason)>(count);
            foreach (var element in document.RootElement.EnumerateArray())
            {
                SegmentEventParser.TryParse(element, limits, now, out var parsedEvent, out var parseError);
                parsed.Add((element, parsedEvent, parseError));
            }

            var inScope = parsed.Where(p => p.Event is { } e && scope.Contains(e.SegmentId) && (e.Type != SegmentEventType.Erased || scope.IsUnscoped))
                .Select(p => p.Event!.SegmentId);
            var refused = await admission.AdmitAsync(inScope);
            var accepted = new List<SegmentEvent>(count);
            var rejected = new List<IngestRejection>();
            var rejectedCount = 0;
            var deadLetters = new DeadLetterCollector();
            var index = 0;
            foreach (var (element, segmentEvent, parseReason) in parsed)
            {
                var kind = DeadLetterKind.Malformed;
                var reason = parseReason;
                if (segmentEvent is not null && refused.Contains(segmentEvent.SegmentId))
                {
                    reason = admission.Reason(segmentEvent.SegmentId);
                }
                else if (segmentEvent is not null)
                {
                    if (scope.Contains(segmentEvent.SegmentId) && (segmentEvent.Type != SegmentEventType.Erased || scope.IsUnscoped))
                    {
                        accepted.Add(segmentEvent);
                        index++;
                        continue;
                    }

                    kind = DeadLetterKind.OutOfScope;
                    reason = segmentEvent.Type == SegmentEventType.Erased && scope.Contains(segmentEvent.SegmentId)
                        ? $"an erasure takes the profile out of every segment, beyond this key's segment scope ({scope}); send it with a key without a segment scope"
                        : $"segment '{segmentEvent.SegmentId}' is outside this key's segment scope ({scope}); nothing of the event was applied";
                }

                if (rejectedCount++ < MaxListedRejections)
                {
                    rejected.Add(new IngestRejection(index, reason!));
                }

                deadLetters.Add(kind, () => new DeadLetter(Source, kind,
                    Identifier(element, "eventId"), Identifier(element, "segmentId"), Identifier(element, "profileId"), reason!, now));
                index++;
            }

            await publisher.PublishAsync(accepted, context.RequestAborted);
            if (deadLetters.Count > 0)
            {
                await grains.GetGrain<IDeadLetterGrain>(IDeadLetterGrain.Key).RecordAsync(deadLetters.ToBatch());
            }

            return Results.Accepted(value: new IngestResult(accepted.Count, rejected, rejectedCount, deadLetters.Count));
        }
    }

    /// <summary>An identifier of a rejected event, when it has a usable one, for the dead-letter view.</summary>
    private static string? Identifier(JsonElement element, string name)
    {
        try
        {
            return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
                && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= SegmentEventParser.MaxIdLength } text
                ? LogText.Clean(text)
                : null;
        }
        catch (InvalidOperationException)
        {
            return null; // not valid Unicode
        }
    }

    private static IResult TooLarge(long limit) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The body is larger than Ingest:MaxRequestBytes ({limit} bytes); split the events over several requests.", null);
}

using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

public static class EventsCommands
{
    /// <summary>Events per request: far below the server's default 16 MiB body limit for ordinary events.</summary>
    public const int EventsPerRequest = 5000;

    public static Command Create(CliApp cli) => new("events", "Segment-membership change events.")
    {
        Post(cli),
    };

    private static Command Post(CliApp cli)
    {
        var file = new Argument<string>("file") { Description = "A JSON array of events (docs/api.md section 1); '-' reads standard input." };
        var command = new Command("post", $"Post events, {EventsPerRequest} per request; each is accepted or rejected on its own.") { file };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var events = await ReadEventsAsync(context, context.Get(file), cancellationToken);
            var accepted = 0;
            var rejected = new List<IngestRejection>();
            for (var offset = 0; offset < events.Count; offset += EventsPerRequest)
            {
                var chunk = events.Skip(offset).Take(EventsPerRequest);
                var result = ApiClient.Read<IngestResult>(await context.Api.PostRawAsync("/api/events", JsonSerializer.Serialize(chunk), cancellationToken));
                accepted += result.Accepted;
                rejected.AddRange(result.Rejected.Select(r => r with { Index = r.Index + offset }));
            }

            var total = new IngestResult(accepted, rejected);
            return context.Show(JsonSerializer.Serialize(total, ApiClient.Json), () =>
            {
                context.Out.MarkupLineInterpolated($"{accepted:N0} event(s) accepted, {rejected.Count:N0} rejected.");
                foreach (var r in rejected)
                {
                    context.Out.MarkupLineInterpolated($"  #{r.Index}: {TerminalText.Clean(r.Reason)}");
                }
            });
        });
        return command;
    }

    private static async Task<List<JsonElement>> ReadEventsAsync(CommandContext context, string file, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = file == "-" ? await context.Host.Input.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (IOException exception)
        {
            throw new UsageException($"cannot read {file}: {exception.Message}");
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new UsageException($"cannot read {file}: {exception.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? [.. document.RootElement.EnumerateArray().Select(e => e.Clone())]
                : throw new UsageException($"{file} holds JSON but not an array of events.");
        }
        catch (JsonException exception)
        {
            throw new UsageException($"{file} is not valid JSON: {exception.Message}");
        }
    }
}

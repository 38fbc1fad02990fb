using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

public static class ExportsCommands
{
    public static Command Create(CliApp cli) => new("exports", "Segments exported to ActiveCampaign lists.")
    {
        Add(cli),
        List(cli),
    };

    private static Command Add(CliApp cli)
    {
        var name = new Option<string>("--name") { Description = "Display name.", Required = true };
        var connection = new Option<string>("--connection") { Description = "The connection id (see 'connections list').", Required = true };
        var list = new Option<string>("--list") { Description = "The ActiveCampaign list id.", Required = true };
        var segments = new Option<string[]>("--segment") { Description = "A segment to export; repeat for several.", Required = true };
        var email = new Option<string>("--email") { Description = "The profile attribute that holds the email address.", DefaultValueFactory = _ => "EmailAddress" };
        var firstName = new Option<string?>("--first-name") { Description = "The attribute for the contact's first name." };
        var lastName = new Option<string?>("--last-name") { Description = "The attribute for the contact's last name." };
        var phone = new Option<string?>("--phone") { Description = "The attribute for the contact's phone." };
        var fields = new Option<string[]>("--field") { Description = "attribute=fieldId: an attribute into an ActiveCampaign custom field; repeatable." };
        var tags = new Option<string[]>("--tag") { Description = "A tag put on every contact; repeatable." };
        var onLeave = new Option<string>("--on-leave") { Description = "What happens when a profile leaves.", DefaultValueFactory = _ => "unsubscribe" };
        onLeave.AcceptOnlyFromAmong("unsubscribe", "keep");
        var schedule = new Option<string?>("--schedule") { Description = "A cron expression (UTC) for scheduled full runs." };
        var command = new Command("add", "Export segments to an ActiveCampaign list (the list is verified; no run starts).")
        {
            name, connection, list, segments, email, firstName, lastName, phone, fields, tags, onLeave, schedule,
        };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.PostAsync("/api/exports", new
            {
                displayName = context.Get(name),
                connectionId = context.Get(connection),
                listId = context.Get(list),
                segmentIds = context.Get(segments),
                mapping = new
                {
                    email = context.Get(email),
                    firstName = context.Get(firstName),
                    lastName = context.Get(lastName),
                    phone = context.Get(phone),
                    fields = (context.Get(fields) ?? []).Select(ParseField).ToList(),
                    tags = context.Get(tags) ?? [],
                },
                onLeave = context.Get(onLeave),
                schedule = context.Get(schedule),
            }, cancellationToken);
            return context.Show(json, () =>
            {
                var export = ApiClient.Read<ExportView>(json);
                context.Out.MarkupLineInterpolated(
                    $"Export [bold]{export.Id}[/] created: segments {string.Join(", ", export.SegmentIds)} to list {export.ListId}. Start a full run with 'runs start {export.Id}'.");
            });
        });
        return command;
    }

    private static object ParseField(string text)
    {
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Length > 0 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var fieldId)
            ? new { attribute = parts[0], fieldId }
            : throw new UsageException($"--field '{text}' is not attribute=fieldId, e.g. Tier=7.");
    }

    private static Command List(CliApp cli)
    {
        var command = new Command("list", "The exports this key may see, with live status.");
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.GetAsync("/api/exports", cancellationToken);
            return context.Show(json, () =>
            {
                var table = new Table().AddColumns("Id", "Name", "Segments", "List", "Members", "Pending", "In sync", "Rejected", "Over cap", "Last run");
                foreach (var e in ApiClient.Read<List<ExportView>>(json))
                {
                    table.AddRow(Cells.Of(e.Id, e.DisplayName, string.Join(", ", e.SegmentIds), e.ListId, N(e.Members), N(e.Pending), N(e.InSync),
                        N(e.Rejected), N(e.SkippedByCap), e.LastRun is { } run ? $"{run.Status} {run.Progress * 100:0}%" : e.Paused ?? "-"));
                }

                context.Out.Write(table);
            });
        });
        return command;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

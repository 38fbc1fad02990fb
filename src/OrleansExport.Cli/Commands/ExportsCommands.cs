using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

public static class ExportsCommands
{
    public static Command Create(CliApp cli) => new("exports", "Segments exported to ActiveCampaign lists.")
    {
        Add(cli),
        Update(cli),
        PauseOrResume(cli, "pause", "Stop sending to ActiveCampaign until resumed; events are still applied, runs are refused."),
        PauseOrResume(cli, "resume", "Send to ActiveCampaign again: what changed meanwhile goes out."),
        List(cli),
        ReconcileCommands.Reconcile(cli),
        ReconcileCommands.List(cli),
        MemberCommand.Create(cli),
    };

    /// <summary>The definition's options, shared by 'exports add' and 'exports update' (where each is optional and only given ones are sent).</summary>
    private sealed class DefinitionOptions
    {
        public DefinitionOptions(bool update)
        {
            var clears = update ? " (an empty value stops filling it)" : "";
            Name = new("--name") { Description = "Display name.", Required = !update };
            List = new("--list") { Description = update ? "The ActiveCampaign list id; every member is sent to the new list." : "The ActiveCampaign list id.", Required = !update };
            Segments = new("--segment")
            {
                Description = update ? "A segment to export, replacing the current ones; repeat for several." : "A segment to export; repeat for several.",
                Required = !update,
            };
            Email = new("--email") { Description = "The profile attribute that holds the email address." };
            FirstName = new("--first-name") { Description = $"The attribute for the contact's first name{clears}." };
            LastName = new("--last-name") { Description = $"The attribute for the contact's last name{clears}." };
            Phone = new("--phone") { Description = $"The attribute for the contact's phone{clears}." };
            Fields = new("--field")
            {
                Description = "attribute=fieldId: an attribute into an ActiveCampaign custom field; repeatable" + (update ? ", replacing the current ones." : "."),
            };
            Tags = new("--tag") { Description = "A tag put on every contact; repeatable" + (update ? ", replacing the current ones." : ".") };
            OnLeave = new("--on-leave") { Description = "What happens when a profile leaves." };
            OnLeave.AcceptOnlyFromAmong("unsubscribe", "keep");
            Schedule = new("--schedule") { Description = "A cron expression (UTC) for scheduled full runs." };
            if (!update)
            {
                Email.DefaultValueFactory = _ => "EmailAddress";
                OnLeave.DefaultValueFactory = _ => "unsubscribe";
            }
        }

        public Option<string> Name { get; }

        public Option<string> List { get; }

        public Option<string[]> Segments { get; }

        public Option<string> Email { get; }

        public Option<string?> FirstName { get; }

        public Option<string?> LastName { get; }

        public Option<string?> Phone { get; }

        public Option<string[]> Fields { get; }

        public Option<string[]> Tags { get; }

        public Option<string> OnLeave { get; }

        public Option<string?> Schedule { get; }

        public Option[] Mapping => [Email, FirstName, LastName, Phone, Fields, Tags];

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Name, List, Segments, Email, FirstName, LastName, Phone, Fields, Tags, OnLeave, Schedule })
            {
                command.Options.Add(option);
            }
        }
    }

    private static Command Add(CliApp cli)
    {
        var options = new DefinitionOptions(update: false);
        var connection = new Option<string>("--connection") { Description = "The connection id (see 'connections list').", Required = true };
        var command = new Command("add", "Export segments to an ActiveCampaign list (the list is verified). Nothing is sent before the first run.") { connection };
        options.AddTo(command);
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.PostAsync("/api/exports", new
            {
                displayName = context.Get(options.Name),
                connectionId = context.Get(connection),
                listId = context.Get(options.List),
                segmentIds = context.Get(options.Segments),
                mapping = new
                {
                    email = context.Get(options.Email),
                    firstName = context.Get(options.FirstName),
                    lastName = context.Get(options.LastName),
                    phone = context.Get(options.Phone),
                    fields = (context.Get(options.Fields) ?? []).Select(ParseField).ToList(),
                    tags = context.Get(options.Tags) ?? [],
                },
                onLeave = context.Get(options.OnLeave),
                schedule = context.Get(options.Schedule),
            }, cancellationToken);
            return context.Show(json, () =>
            {
                var export = ApiClient.Read<ExportView>(json);
                context.Out.MarkupLineInterpolated(
                    $"Export [bold]{export.Id}[/] created: segments {string.Join(", ", export.SegmentIds)} to list {export.ListId}. {State(export)}");
            });
        });
        return command;
    }

    private static Command Update(CliApp cli)
    {
        var options = new DefinitionOptions(update: true);
        var export = new Argument<string>("export") { Description = "The export id." };
        var noSchedule = new Option<bool>("--no-schedule") { Description = "Remove the schedule: runs start only on demand." };
        var noFields = new Option<bool>("--no-fields") { Description = "Send no custom fields any more." };
        var noTags = new Option<bool>("--no-tags") { Description = "Put no tags on contacts any more." };
        var command = new Command("update", "Change an export: only the options given change (refused while a run is queued or running).") { export };
        options.AddTo(command);
        command.Options.Add(noSchedule);
        command.Options.Add(noFields);
        command.Options.Add(noTags);
        command.Validators.Add(result =>
        {
            foreach (var (option, clear) in new (Option, Option)[] { (options.Schedule, noSchedule), (options.Fields, noFields), (options.Tags, noTags) })
            {
                if (result.GetResult(option) is not null && result.GetResult(clear) is not null)
                {
                    result.AddError($"{option.Name} and {clear.Name} contradict each other: give one.");
                }
            }
        });
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var path = $"/api/exports/{Uri.EscapeDataString(context.Get(export))}";
            var body = new Dictionary<string, object?>();
            if (context.Given(options.Name))
            {
                body["displayName"] = context.Get(options.Name);
            }

            if (context.Given(options.List))
            {
                body["listId"] = context.Get(options.List);
            }

            if (context.Given(options.Segments))
            {
                body["segmentIds"] = context.Get(options.Segments);
            }

            if (options.Mapping.Append(noFields).Append(noTags).Any(context.Given))
            {
                // PATCH takes the whole mapping: what is not given stays as the export has it.
                var current = ApiClient.Read<ExportView>(await context.Api.GetAsync(path, cancellationToken)).Mapping;
                string? Attribute(Option<string?> option, string? now) => context.Given(option) ? NullIfEmpty(context.Get(option)) : now;
                IEnumerable<object> fields = context.Given(noFields) ? []
                    : context.Given(options.Fields) ? context.Get(options.Fields).Select(ParseField).ToList()
                    : current.Fields;
                IEnumerable<string> tags = context.Given(noTags) ? [] : context.Given(options.Tags) ? context.Get(options.Tags) : current.Tags;
                body["mapping"] = new
                {
                    email = context.Given(options.Email) ? context.Get(options.Email) : current.Email,
                    firstName = Attribute(options.FirstName, current.FirstName),
                    lastName = Attribute(options.LastName, current.LastName),
                    phone = Attribute(options.Phone, current.Phone),
                    fields,
                    tags,
                };
            }

            if (context.Given(options.OnLeave))
            {
                body["onLeave"] = context.Get(options.OnLeave);
            }

            if (context.Given(options.Schedule) || context.Given(noSchedule))
            {
                body["schedule"] = context.Given(noSchedule) ? null : context.Get(options.Schedule);
            }

            if (body.Count == 0)
            {
                throw new UsageException("Nothing to change: give at least one option, e.g. --name or --no-schedule (see 'exports update --help').");
            }

            var json = await context.Api.PatchAsync(path, body, cancellationToken);
            return context.Show(json, () =>
            {
                var updated = ApiClient.Read<ExportView>(json);
                context.Out.MarkupLineInterpolated($"Export [bold]{updated.Id}[/] updated: {string.Join(", ", body.Keys)}. {State(updated)}");
            });
        });
        return command;
    }

    private static Command PauseOrResume(CliApp cli, string action, string description)
    {
        var export = new Argument<string>("export") { Description = "The export id." };
        var command = new Command(action, description) { export };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.PostAsync($"/api/exports/{Uri.EscapeDataString(context.Get(export))}/{action}", null, cancellationToken);
            return context.Show(json, () =>
            {
                var updated = ApiClient.Read<ExportView>(json);
                context.Out.MarkupLineInterpolated($"Export [bold]{updated.Id}[/]: {State(updated)}");
            });
        });
        return command;
    }

    /// <summary>Whether the export sends now, in a sentence (when paused, the server's: who paused it, or why).</summary>
    private static string State(ExportView export) =>
        export.Paused
        ?? (export.AwaitingFirstRun ? $"Nothing is sent before its first run: start it with 'runs start {export.Id}'." : "It sends changes as they arrive.");

    private static object ParseField(string text)
    {
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Length > 0 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var fieldId)
            ? new { attribute = parts[0], fieldId }
            : throw new UsageException($"--field '{text}' is not attribute=fieldId, e.g. Tier=7.");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static Command List(CliApp cli)
    {
        var command = new Command("list", "The exports this key may see, with live status.");
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.GetAsync("/api/exports", cancellationToken);
            return context.Show(json, () =>
            {
                var table = new Table().AddColumns("Id", "Name", "Segments", "List", "Members", "Pending", "In sync", "Opted out", "Rejected", "Over cap", "Last run");
                foreach (var e in ApiClient.Read<List<ExportView>>(json))
                {
                    table.AddRow(Cells.Of(e.Id, e.DisplayName, string.Join(", ", e.SegmentIds), e.ListId, N(e.Members), N(e.Pending), N(e.InSync), N(e.OptedOut),
                        N(e.Rejected), N(e.SkippedByCap), e.LastRun is { } run ? $"{run.Status} {run.Progress * 100:0}%" : e.Paused ?? "-"));
                }

                context.Out.Write(table);
            });
        });
        return command;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

using System.CommandLine;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

/// <summary><c>exports member &lt;id&gt; &lt;profileId|email&gt;</c>: one contact's story in an export.</summary>
public static class MemberCommand
{
    public static Command Create(CliApp cli)
    {
        var export = new Argument<string>("export") { Description = "The export id." };
        var who = new Argument<string>("profile-or-email") { Description = "A profile id, or an email address (any case)." };
        var command = new Command("member", "Where one contact of an export stands, and why: its state, segments and last change.") { export, who };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var id = Uri.EscapeDataString(context.Get(export));
            var query = context.Get(who).Trim();
            var path = query.Contains('@', StringComparison.Ordinal)
                ? $"/api/exports/{id}/members?email={Uri.EscapeDataString(query)}"
                : $"/api/exports/{id}/members/{Uri.EscapeDataString(query)}";
            var json = await context.Api.GetAsync(path, cancellationToken);
            return context.Show(json, () =>
            {
                var story = ApiClient.Read<MemberStoryView>(json);
                var grid = new Grid().AddColumns(2);
                grid.AddRow(Cells.Of("Profile", story.ProfileId));
                grid.AddRow(Cells.Of("Email", story.Email ?? "-"));
                grid.AddRow(Cells.Of("State", story.State));
                grid.AddRow(Cells.Of("Why", story.Reason ?? "-"));
                grid.AddRow(Cells.Of("Segments", story.Segments.Count > 0 ? string.Join(", ", story.Segments) : "none"));
                grid.AddRow(Cells.Of("Contact id", story.ContactId ?? "not known yet"));
                grid.AddRow(Cells.Of("Last change", story.LastChangeAt?.ToString("u") ?? "-"));
                grid.AddRow(Cells.Of("Last sent", story.LastSentAt?.ToString("u") ?? "never"));
                context.Out.Write(grid);
            });
        });
        return command;
    }
}

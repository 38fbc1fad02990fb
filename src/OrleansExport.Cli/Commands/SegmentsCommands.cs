using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

public static class SegmentsCommands
{
    public static Command Create(CliApp cli) => new("segments", "Segments as the cluster holds them: members, last event, the exports that take them.")
    {
        List(cli),
    };

    private static Command List(CliApp cli)
    {
        var command = new Command("list", "Every segment that has received an event (a scoped key sees its scope).");
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.GetAsync("/api/segments", cancellationToken);
            return context.Show(json, () =>
            {
                var table = new Table().AddColumns("Segment", "Members", "Last event", "Exports");
                table.Columns[1].RightAligned();
                foreach (var s in ApiClient.Read<List<SegmentView>>(json))
                {
                    table.AddRow(Cells.Of(s.SegmentId, s.Members.ToString("N0", CultureInfo.InvariantCulture), s.LastEventAt?.ToString("u") ?? "-",
                        s.ExportIds.Count == 0 ? "-" : string.Join(", ", s.ExportIds)));
                }

                context.Out.Write(table);
            });
        });
        return command;
    }
}

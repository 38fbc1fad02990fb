using System.CommandLine;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

public static class RejectionsCommand
{
    public static Command Create(CliApp cli)
    {
        var export = new Argument<string>("export") { Description = "The export id." };
        var limit = new Option<int>("--limit") { Description = "How many, newest first (1 to 1000).", DefaultValueFactory = _ => 100 };
        var command = new Command("rejections", "Contacts of an export that ActiveCampaign refused or that could not be sent.") { export, limit };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.GetAsync($"/api/exports/{Uri.EscapeDataString(context.Get(export))}/rejections?limit={context.Get(limit)}", cancellationToken);
            return context.Show(json, () =>
            {
                var rejections = ApiClient.Read<List<RejectionView>>(json);
                var table = new Table().AddColumns("Profile", "Email", "Reason", "At");
                foreach (var r in rejections)
                {
                    table.AddRow(Cells.Of(r.ProfileId, r.Email ?? "-", r.Reason, r.At.ToString("u")));
                }

                context.Out.Write(table);
                context.Out.MarkupLineInterpolated($"{rejections.Count} rejection(s).");
            });
        });
        return command;
    }
}

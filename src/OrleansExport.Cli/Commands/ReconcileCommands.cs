using System.CommandLine;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

/// <summary><c>exports reconcile</c> and <c>exports reconciliations</c>: an export compared with its ActiveCampaign list.</summary>
public static class ReconcileCommands
{
    public static Command Reconcile(CliApp cli)
    {
        var export = new Argument<string>("export") { Description = "The export id." };
        var wait = new Option<bool>("--wait") { Description = "Wait until it ends; the exit code tells how it ended." };
        var command = new Command("reconcile",
            "Read the export's whole list and compare: members deleted in the app are sent again, contacts unsubscribed by others become opted out, strangers are counted. Unsubscribes nobody.")
        { export, wait };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var exportId = Uri.EscapeDataString(context.Get(export));
            var json = await context.Api.PostAsync($"/api/exports/{exportId}/reconciliations", null, cancellationToken);
            var id = ApiClient.Read<ReconciliationStarted>(json).ReconciliationId;
            if (!context.Get(wait))
            {
                return context.Show(json, () => context.Out.MarkupLineInterpolated($"Reconciliation [bold]{id}[/] of {context.Get(export)} started."));
            }

            var path = $"/api/exports/{exportId}/reconciliations/{Uri.EscapeDataString(id)}";
            while (true)
            {
                json = await context.Api.GetAsync(path, cancellationToken);
                var reconciliation = ApiClient.Read<ReconciliationView>(json);
                if (reconciliation.Status != "running")
                {
                    context.Show(json, () => context.Out.MarkupLineInterpolated($"{Describe(reconciliation)}"));
                    return reconciliation.Status == "succeeded" ? ExitCodes.Ok : ExitCodes.RunNotSucceeded;
                }

                await Task.Delay(RunsCommands.PollInterval, cancellationToken);
            }
        });
        return command;
    }

    public static Command List(CliApp cli)
    {
        var export = new Argument<string>("export") { Description = "The export id." };
        var command = new Command("reconciliations", "The export's reconciliations with its list, newest first.") { export };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.GetAsync($"/api/exports/{Uri.EscapeDataString(context.Get(export))}/reconciliations", cancellationToken);
            return context.Show(json, () =>
            {
                var table = new Table().AddColumns("Id", "Status", "Started", "Read", "Missing", "Opted out", "Strangers", "Resent");
                foreach (var r in ApiClient.Read<List<ReconciliationView>>(json))
                {
                    table.AddRow(Cells.Of(r.ReconciliationId, r.Status, r.StartedAt.ToString("u"), $"{r.Read:N0}", $"{r.Missing:N0}", $"{r.OptedOut:N0}",
                        $"{r.Strangers:N0}", $"{r.Resent:N0}"));
                }

                context.Out.Write(table);
            });
        });
        return command;
    }

    private static string Describe(ReconciliationView r) =>
        $"Reconciliation {r.ReconciliationId} {r.Status}: {r.Read:N0} read, {r.Missing:N0} missing, {r.Resent:N0} resent, {r.OptedOut:N0} opted out, {r.Strangers:N0} strangers."
        + (r.Error is { } error ? $" {error}" : "");
}

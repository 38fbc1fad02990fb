using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace OrleansExport.Cli.Commands;

public static class RunsCommands
{
    /// <summary>How often <c>runs start --wait</c> asks for progress.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static Command Create(CliApp cli) => new("runs", "Full runs (resyncs) of an export.")
    {
        Start(cli),
        List(cli),
    };

    private static Command Start(CliApp cli)
    {
        var export = new Argument<string>("export") { Description = "The export id." };
        var wait = new Option<bool>("--wait") { Description = "Show a progress bar until the run ends; the exit code tells how it ended." };
        var command = new Command("start", "Start a full run: every member is sent again with its current data.") { export, wait };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var exportId = context.Get(export);
            var json = await context.Api.PostAsync($"/api/exports/{Uri.EscapeDataString(exportId)}/runs", null, cancellationToken);
            var started = ApiClient.Read<RunStarted>(json);
            if (!context.Get(wait))
            {
                return context.Show(json, () => context.Out.MarkupLineInterpolated($"Run [bold]{started.RunId}[/] of {exportId} started: {started.Total:N0} contacts to send."));
            }

            var run = await FollowAsync(context, exportId, started, cancellationToken);
            if (context.Json)
            {
                context.Host.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(run, ApiClient.Json));
            }
            else
            {
                var took = run.FinishedAt - run.StartedAt is { } duration ? $" in {duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" : "";
                context.Out.MarkupLineInterpolated(
                    $"Run {run.RunId} {run.Status}{took}: {run.Sent:N0} sent, {run.Unsubscribed:N0} unsubscribed, {run.Failed:N0} failed, {run.SkippedByCap:N0} over the cap.");
                if (run.Error is { } error)
                {
                    context.Out.MarkupLineInterpolated($"[yellow]{TerminalText.Clean(error)}[/]");
                }
            }

            return run.Status == "succeeded" ? ExitCodes.Ok : ExitCodes.RunNotSucceeded;
        });
        return command;
    }

    /// <summary>Polls the run until it ends: a live progress bar on a terminal, a line per change when the output is a pipe or a file.</summary>
    private static async Task<RunView> FollowAsync(CommandContext context, string exportId, RunStarted started, CancellationToken cancellationToken)
    {
        var path = $"/api/exports/{Uri.EscapeDataString(exportId)}/runs/{Uri.EscapeDataString(started.RunId)}";
        async Task<RunView> PollAsync() => ApiClient.Read<RunView>(await context.Api.GetAsync(path, cancellationToken));

        if (!context.Out.Profile.Capabilities.Interactive)
        {
            string? last = null;
            while (true)
            {
                var run = await PollAsync();
                var line = Describe(run) + $" ({run.Progress * 100:0}%)";
                if (line != last)
                {
                    context.Host.Output.WriteLine(line);
                    last = line;
                }

                if (run.IsFinished)
                {
                    return run;
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }

        RunView? finished = null;
        await context.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape($"{started.RunId}: {started.Total:N0} to send"), maxValue: 100);
                while (true)
                {
                    var run = await PollAsync();
                    task.Description = Markup.Escape(Describe(run));
                    task.Value = run.Progress * 100;
                    if (run.IsFinished)
                    {
                        task.StopTask();
                        finished = run;
                        return;
                    }

                    await Task.Delay(PollInterval, cancellationToken);
                }
            });
        return finished!;
    }

    private static string Describe(RunView run) =>
        $"{run.RunId} {run.Status}: {run.Sent + run.Unsubscribed:N0}/{run.Total:N0} sent"
        + (run is { IsFinished: false, Eta: { } eta } ? $", ETA {eta.ToUniversalTime():HH:mm:ss} UTC" : "");

    private static Command List(CliApp cli)
    {
        var export = new Argument<string>("export") { Description = "The export id." };
        var command = new Command("list", "The export's runs, newest first.") { export };
        cli.SetAction(command, async (context, cancellationToken) =>
        {
            var json = await context.Api.GetAsync($"/api/exports/{Uri.EscapeDataString(context.Get(export))}/runs", cancellationToken);
            return context.Show(json, () =>
            {
                var table = new Table().AddColumns("Run", "Status", "Started", "Finished", "Total", "Sent", "Unsubscribed", "Failed", "Over cap", "Trigger");
                foreach (var r in ApiClient.Read<List<RunView>>(json))
                {
                    table.AddRow(Cells.Of(r.RunId, r.Status, r.StartedAt?.ToString("u") ?? "-", r.FinishedAt?.ToString("u") ?? "-",
                        r.Total.ToString("N0"), r.Sent.ToString("N0"), r.Unsubscribed.ToString("N0"), r.Failed.ToString("N0"), r.SkippedByCap.ToString("N0"), r.Trigger ?? ""));
                }

                context.Out.Write(table);
            });
        });
        return command;
    }
}

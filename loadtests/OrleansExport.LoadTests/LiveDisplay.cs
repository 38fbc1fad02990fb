using System.Globalization;
using OrleansExport.LoadTests.Reports;
using Spectre.Console;

namespace OrleansExport.LoadTests;

/// <summary>The live progress table while a run goes on, and the summary table at its end.</summary>
public static class LiveDisplay
{
    public static async Task<LoadTestResult> RunAsync(LoadTestProgress progress, Func<Task<LoadTestResult>> run)
    {
        var table = new Table().AddColumns("", "").HideHeaders().Border(TableBorder.Rounded);
        LoadTestResult? result = null;
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            var running = run();
            while (!running.IsCompleted)
            {
                Render(table, progress);
                context.Refresh();
                await Task.WhenAny(running, Task.Delay(250));
            }

            Render(table, progress);
            context.Refresh();
            result = await running;
        });
        return result!;
    }

    private static void Render(Table table, LoadTestProgress p)
    {
        table.Rows.Clear();
        table.AddRow("phase", Markup.Escape(p.Phase));
        table.AddRow("elapsed", $"{p.ElapsedSeconds:F1} s");
        table.AddRow("events published", $"{N(Interlocked.Read(ref p.EventsPublished))} / {N(p.TotalEvents)}");
        table.AddRow("events applied to the segment", N(p.EventsReceived));
        table.AddRow("segment members", N(p.SegmentMembers));
        table.AddRow("export: members / pending / in sync", $"{N(p.Members)} / {N(p.Pending)} / {N(p.InSync)} (expected {N(p.ExpectedMembers)})");
        table.AddRow("contacts imported", $"{N(p.ContactsImported)} in {N(p.BulkImports)} bulk imports");
        table.AddRow("throttled (429)", N(p.Throttled429));
    }

    public static string OneLine(LoadTestProgress p) =>
        $"{p.Phase}: events {N(p.EventsReceived)}/{N(p.TotalEvents)} applied, segment members {N(p.SegmentMembers)}, export members {N(p.Members)}, pending {N(p.Pending)}, in sync {N(p.InSync)}, " +
        $"imported {N(p.ContactsImported)} in {N(p.BulkImports)} imports, 429: {N(p.Throttled429)}";

    public static void PrintSummary(LoadTestResult result, LoadTestOptions options)
    {
        var table = new Table().AddColumns("figure", "value", "target", "").Border(TableBorder.Rounded)
            .Title($"OrleansExport load test: {N(result.Setup.Profiles)} profiles, time scale {result.Setup.TimeScale:G}");
        foreach (var check in TargetChecks.For(result))
        {
            table.AddRow(Markup.Escape(check.Figure), Markup.Escape(check.Value), Markup.Escape(check.Target),
                check.Met switch { true => "[green]met[/]", false => "[red]below target[/]", null => "" });
        }

        AnsiConsole.Write(table);
        foreach (var line in ResultFiles.Details(result))
        {
            AnsiConsole.WriteLine(line);
        }

        if (options.JsonPath is { } json)
        {
            AnsiConsole.WriteLine($"Results: {json}");
        }

        if (options.ResolvedHtmlPath is { } html)
        {
            AnsiConsole.WriteLine($"Summary with chart: {html}");
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

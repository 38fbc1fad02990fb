using System.CommandLine;
using OrleansExport.Demo;
using OrleansExport.LoadTests.Reports;

namespace OrleansExport.LoadTests;

/// <summary>The command line: options map one to one onto <see cref="LoadTestOptions"/>.</summary>
public static class LoadTestCommand
{
    /// <summary>The most accounts <c>--accounts</c> runs at once: ports and memory bound it, not ActiveCampaign.</summary>
    public const int MaxAccounts = 1000;

    public static RootCommand Create()
    {
        var defaults = new LoadTestOptions();
        var profiles = new Option<int>("--profiles") { Description = "Profiles in the generated segment.", DefaultValueFactory = _ => defaults.Profiles };
        var timeScale = new Option<double>("--time-scale") { Description = "Divides every ActiveCampaign rate window (60: per-minute limits apply per second).", DefaultValueFactory = _ => defaults.TimeScale };
        var json = new Option<FileInfo?>("--json") { Description = "Write the results JSON here." };
        var html = new Option<FileInfo?>("--html") { Description = "Write the human summary with the throughput chart here (default: the JSON path with .html)." };
        var ingest = new Option<IngestMode>("--ingest") { Description = "stream: onto the segment streams; http: JSON arrays through POST /api/events.", DefaultValueFactory = _ => defaults.Ingest };
        var publishBatch = new Option<int>("--publish-batch") { Description = "Events per ingest call.", DefaultValueFactory = _ => defaults.PublishBatchSize };
        var publishers = new Option<int>("--publishers") { Description = "Ingest calls in flight at once.", DefaultValueFactory = _ => defaults.PublishConcurrency };
        var gateway = new Option<int?>("--cluster-gateway") { Description = "Connect to a running localhost cluster on this gateway port instead of starting a silo here." };
        var apiUrl = new Option<Uri?>("--api-url") { Description = "The running cluster's HTTP API (with --ingest http and --cluster-gateway)." };
        var apiKey = new Option<string?>("--api-key") { Description = "An Admin or Contributor key of the running cluster's HTTP API." };
        var silo = new Option<string[]>("--silo") { Description = "Configuration for the in-process silo as Key=Value, repeatable (e.g. Export:ShardCount=32).", AllowMultipleArgumentsPerToken = false };
        var seed = new Option<int>("--seed") { Description = "Seed of the event generator.", DefaultValueFactory = _ => defaults.Seed };
        var churn = new Option<string>("--churn") { Description = "default: updates, leaves, re-joins, duplicates, late events and invalid emails; none: joins only.", DefaultValueFactory = _ => "default" };
        churn.AcceptOnlyFromAmong("default", "none");
        var applyDelay = new Option<double>("--import-apply-delay-ms") { Description = "How long the simulator takes to apply an import, at real limits.", DefaultValueFactory = _ => defaults.ImportApplyDelay.TotalMilliseconds };
        var timeout = new Option<double>("--timeout-minutes") { Description = "Give up after this long.", DefaultValueFactory = _ => defaults.Timeout.TotalMinutes };
        var ingestOnly = new Option<bool>("--ingest-only") { Description = "Stop once every event is in segment state (no export, no delivery, no list check): isolates ingest and the segment's memory." };
        var hold = new Option<double>("--hold-seconds") { Description = "Keep the loaded silo alive this long after measuring (to attach dotnet-gcdump or dotnet-counters)." };
        var storage = new Option<StorageMode>("--storage") { Description = "memory: the embedded default; azurite: the production profile's Azure Storage in Azurite (started here unless --azurite-connection-string).", DefaultValueFactory = _ => defaults.Storage };
        var azurite = new Option<string?>("--azurite-connection-string") { Description = "With --storage azurite: a running Azurite or storage account instead of starting one." };
        var noLive = new Option<bool>("--no-live") { Description = "Print phases as plain lines instead of a live display." };
        var killSilo = new Option<bool>("--kill-silo")
        {
            Description = "Production profile as two silo processes sharing Azurite (started here unless --azurite-connection-string): kill -9 the sending silo a third " +
                          "of the way into the first run, and measure duplicates and the time until ActiveCampaign accepts the next import.",
        };

        var accounts = new Option<int>("--accounts")
        {
            Description = "Deliver to this many ActiveCampaign accounts at once: one export of the segment per simulated account, each with its own limits, their first runs together; " +
                          "reports the aggregate imports per second and each account's utilization.",
            DefaultValueFactory = _ => defaults.Accounts,
        };
        accounts.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxAccounts)
            {
                result.AddError($"--accounts must be between 1 and {MaxAccounts} (each account is a simulator of its own in this process).");
            }
        });

        var reconcile = new Option<bool>("--reconcile") { Description = "After the first run, reconcile the export with its list: reports reconcileSeconds and its ActiveCampaign requests." };
        var command = new RootCommand("Load test of OrleansExport: generates segment events for N profiles and pushes them through the real ingest path into segment state, " +
                                      "then creates an export on the segment (backfill), runs it to the ActiveCampaign simulator at its real limits under a time scale, " +
                                      "checks the list, adds a second export on the segment and reports the figures.")
        {
            profiles, timeScale, json, html, ingest, publishBatch, publishers, gateway, apiUrl, apiKey, silo, seed, churn, applyDelay, timeout, ingestOnly, hold, storage, azurite, noLive, killSilo, reconcile, accounts,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new LoadTestOptions
            {
                Profiles = parse.GetValue(profiles),
                TimeScale = parse.GetValue(timeScale),
                JsonPath = parse.GetValue(json)?.FullName,
                HtmlPath = parse.GetValue(html)?.FullName,
                Ingest = parse.GetValue(ingest),
                PublishBatchSize = parse.GetValue(publishBatch),
                PublishConcurrency = parse.GetValue(publishers),
                ClusterGatewayPort = parse.GetValue(gateway),
                ApiUrl = parse.GetValue(apiUrl),
                ApiKey = parse.GetValue(apiKey),
                SiloSettings = parse.GetValue(silo) ?? [],
                Seed = parse.GetValue(seed),
                Churn = parse.GetValue(churn) == "none" ? ChurnOptions.None : new ChurnOptions(),
                ImportApplyDelay = TimeSpan.FromMilliseconds(parse.GetValue(applyDelay)),
                Timeout = TimeSpan.FromMinutes(parse.GetValue(timeout)),
                IngestOnly = parse.GetValue(ingestOnly),
                Hold = TimeSpan.FromSeconds(parse.GetValue(hold)),
                Storage = parse.GetValue(storage),
                AzuriteConnectionString = parse.GetValue(azurite),
                KillSilo = parse.GetValue(killSilo),
                Reconcile = parse.GetValue(reconcile),
                Accounts = parse.GetValue(accounts),
            };
            return await RunAsync(options, live: !parse.GetValue(noLive) && !Console.IsOutputRedirected, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs, writes the result files and prints the summary. Exit code 1 when the list is wrong or ActiveCampaign throttled: never for speed.</summary>
    public static async Task<int> RunAsync(LoadTestOptions options, bool live, CancellationToken cancellationToken)
    {
        var progress = new LoadTestProgress();
        var result = live
            ? await LiveDisplay.RunAsync(progress, () => LoadTestRunner.RunAsync(options, progress, cancellationToken))
            : await RunPlainAsync(options, progress, cancellationToken);

        if (options.JsonPath is { } jsonPath)
        {
            await ResultFiles.WriteJsonAsync(jsonPath, result);
        }

        if (options.ResolvedHtmlPath is { } htmlPath)
        {
            await ResultFiles.WriteHtmlAsync(htmlPath, result);
        }

        LiveDisplay.PrintSummary(result, options);
        return result.ListMatchesMembership != false && result.Throttled429 == 0 && result.Accounts is not { AllListsMatch: false } ? 0 : 1;
    }

    private static async Task<LoadTestResult> RunPlainAsync(LoadTestOptions options, LoadTestProgress progress, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        progress.PhaseChanged += phase => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,7:F1} s] {phase}");
        var running = LoadTestRunner.RunAsync(options, progress, cancellationToken);
        while (await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)) != running)
        {
            Console.WriteLine($"[{clock.Elapsed.TotalSeconds,7:F1} s] {LiveDisplay.OneLine(progress)}");
        }

        return await running;
    }
}

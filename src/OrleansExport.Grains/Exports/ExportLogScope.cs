using Microsoft.Extensions.Logging;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// A logging scope with <c>ExportId</c> (and <c>RunId</c> during a run), so that log lines written deeper down
/// (the batch sender, the ActiveCampaign client) say which export they belong to.
/// </summary>
public static class ExportLogScope
{
    public static IDisposable? Begin(ILogger logger, string exportId, string? runId = null) =>
        logger.BeginScope(runId is null
            ? new Dictionary<string, object?> { ["ExportId"] = exportId }
            : new Dictionary<string, object?> { ["ExportId"] = exportId, ["RunId"] = runId });
}

using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Delivery;

namespace OrleansExport.Grains.Exports;

/// <summary>A person pausing or resuming an export: the sentence its status shows, its history, the audit trail, and delivery picking up again.</summary>
public sealed partial class ExportPausing(string exportId, ExportState state, Func<Task> writeState, DeliveryLoop delivery,
    Func<string, AuditAction, Task> audit, TimeProvider time, ILogger logger)
{
    private readonly ILogger _logger = logger;

    /// <returns>false when the export does not exist.</returns>
    public async Task<bool> SetAsync(string user, bool pause)
    {
        if (state.Definition is null)
        {
            return false;
        }

        if (pause == (state.PausedBy is not null))
        {
            return true;
        }

        state.PausedBy = pause
            ? $"Paused by {user} on {time.GetUtcNow():yyyy-MM-dd HH:mm} UTC: events are still applied, nothing is sent until it is resumed."
            : null;
        state.AddHistory(time.GetUtcNow(), user, pause ? DefinitionAction.Paused : DefinitionAction.Resumed, []);
        await writeState();
        await audit(user, pause ? AuditAction.Paused : AuditAction.Resumed);
        if (pause)
        {
            LogPaused(exportId, user);
        }
        else
        {
            delivery.NoteAllOverdue();
            LogResumed(exportId, user);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} paused by {User}")]
    private partial void LogPaused(string exportId, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} resumed by {User}")]
    private partial void LogResumed(string exportId, string user);
}

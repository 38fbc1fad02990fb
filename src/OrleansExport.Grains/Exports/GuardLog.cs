using Microsoft.Extensions.Logging;

namespace OrleansExport.Grains.Exports;

/// <summary>The mass-unsubscribe guard's log lines.</summary>
internal static partial class GuardLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} holds {Count} unsubscribes (mass-unsubscribe guard); a person may release them")]
    public static partial void Held(ILogger logger, string exportId, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: the unsubscribe hold lifted by itself ({Count} unsubscribes pending now)")]
    public static partial void Lifted(ILogger logger, string exportId, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: {User} released {Count} held unsubscribes")]
    public static partial void Released(ILogger logger, string exportId, string user, long count);
}

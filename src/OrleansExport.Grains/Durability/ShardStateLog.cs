using Microsoft.Extensions.Logging;

namespace OrleansExport.Grains.Durability;

/// <summary>The log lines of <see cref="JournaledShardState{TState}"/> (a generic class, so they live here).</summary>
internal static partial class ShardStateLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} replays {Entries} journal entries ({Events} events, {Outcomes} delivery outcomes) on its last snapshot")]
    public static partial void Replaying(ILogger logger, string shard, int entries, int events, int outcomes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} could not delete journal {Generation}: {Error}")]
    public static partial void JournalNotDeleted(ILogger logger, string shard, string generation, string error);
}

namespace OrleansExport.TestSupport;

/// <summary>
/// Host settings for tests, in the configuration keys of docs/api.md section 3: a dictionary that the in-process
/// host takes as command-line arguments and a host process as environment variables.
/// </summary>
public static class TestSettings
{
    /// <summary>
    /// What every test host shares: plain HTTP to the simulator on loopback, short batch delays, a
    /// silo and gateway port of its own (several hosts share the machine).
    /// </summary>
    public static Dictionary<string, string?> Defaults() => Common().WithFreePorts();

    /// <summary>The defaults without ports: for settings that several silos copy, each adding its own (<see cref="WithFreePorts"/>).</summary>
    public static Dictionary<string, string?> Common() => new()
    {
        ["ActiveCampaign:AllowInsecureLoopback"] = "true",
        ["Export:MaxBatchDelay"] = "00:00:01",
        ["Ingest:SnapshotGrace"] = "00:00:02",
    };

    /// <summary>Sets <c>Api:Keys:{index}</c>: the key, its role, its user and, when given, its segment scope.</summary>
    public static Dictionary<string, string?> WithApiKey(
        this Dictionary<string, string?> settings, int index, string key, string role, string user, params string[] segments)
    {
        settings[$"Api:Keys:{index}:Key"] = key;
        settings[$"Api:Keys:{index}:Role"] = role;
        settings[$"Api:Keys:{index}:User"] = user;
        foreach (var (segment, position) in segments.Select((s, i) => (s, i)))
        {
            settings[$"Api:Keys:{index}:Segments:{position}"] = segment;
        }

        return settings;
    }

    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, string key, string? value)
    {
        settings[key] = value;
        return settings;
    }

    /// <summary>A new silo and gateway port.</summary>
    public static Dictionary<string, string?> WithFreePorts(this Dictionary<string, string?> settings)
    {
        settings["Orleans:SiloPort"] = FreePorts.Next().ToString();
        settings["Orleans:GatewayPort"] = FreePorts.Next().ToString();
        return settings;
    }

    /// <summary>As command-line arguments (<c>--Key=Value</c>), which override every other configuration source.</summary>
    public static string[] ToArguments(this IEnumerable<KeyValuePair<string, string?>> settings) =>
        [.. settings.Select(pair => $"--{pair.Key}={pair.Value}")];
}

namespace OrleansExport.Grains.Connections;

[GenerateSerializer]
public sealed class ConnectionState
{
    [Id(0)] public string? DisplayName { get; set; }
    [Id(1)] public string? Hostname { get; set; }
    [Id(2)] public string? ProtectedApiKey { get; set; }
    [Id(3)] public string? ApiKeyHint { get; set; }
    [Id(4)] public bool AllowContributors { get; set; }
    [Id(5)] public bool DataPrivacyConsent { get; set; }
    [Id(6)] public long? ProfileCap { get; set; }
    [Id(7)] public List<string> ExportUsers { get; set; } = [];
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Profiles of the cap leased to each export.</summary>
    [Id(9)] public Dictionary<string, long> LeasedByExport { get; set; } = [];

    /// <summary>One more for each key saved; 0 for connections stored before keys had versions (their first key).</summary>
    [Id(10)] public int KeyVersion { get; set; }

    /// <summary>Null for connections stored before this was kept: their key was verified when they were created.</summary>
    [Id(11)] public DateTimeOffset? KeyVerifiedAt { get; set; }

    [Id(12)] public DateTimeOffset? KeyRefusedAt { get; set; }

    public bool Exists => ProtectedApiKey is not null;
}

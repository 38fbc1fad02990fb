namespace OrleansExport.TestSupport;

/// <summary>The API keys of the test hosts, one per role and scope, and the simulator's account key.</summary>
public static class TestKeys
{
    public const string Admin = "admin-key-0123456789abcdef";
    public const string Contributor = "contributor-key-0123456789";
    public const string Viewer = "viewer-key-0123456789abcdef";
    public const string Ingest = "ingest-key-0123456789abcdef";

    /// <summary>Segments whose ids start with this are in the scoped keys' scope.</summary>
    public const string ScopePrefix = "scoped-";
    public const string ScopedContributor = "scoped-contributor-key-0123456789";
    public const string ScopedIngest = "scoped-ingest-key-0123456789abcd";
    public const string ScopedViewer = "scoped-viewer-key-0123456789abcd";
    public const string ScopedAdmin = "scoped-admin-key-0123456789abcde";

    /// <summary>The simulated ActiveCampaign account's <c>Api-Token</c>.</summary>
    public const string Simulator = "sim-secret-key-7f3a9c2e5b1d4086";
}

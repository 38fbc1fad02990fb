namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Where and how to reach one ActiveCampaign account. <see cref="ToString"/> never shows the key.
/// </summary>
/// <param name="Hostname">Host name only (e.g. <c>acme.api-us1.com</c>), or <c>127.0.0.1:port</c> when loopback is allowed.</param>
/// <param name="ApiKey">The account's API token, sent as the <c>Api-Token</c> header.</param>
public sealed record ActiveCampaignAccount(string Hostname, string ApiKey)
{
    /// <summary>Loopback accounts (simulator, tests) are reached over plain HTTP.</summary>
    public bool IsLoopback => HostnameRules.IsLoopbackHost(Hostname);

    /// <summary>The API root: <c>https://{Hostname}/</c>, or <c>http://</c> for loopback.</summary>
    public Uri BaseAddress => new((IsLoopback ? "http://" : "https://") + Hostname + "/");

    public override string ToString() => $"ActiveCampaignAccount {{ Hostname = {Hostname} }}";
}

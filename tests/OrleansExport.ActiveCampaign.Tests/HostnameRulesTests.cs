namespace OrleansExport.ActiveCampaign.Tests;

public sealed class HostnameRulesTests
{
    private static readonly ActiveCampaignOptions Strict = new();
    private static readonly ActiveCampaignOptions WithLoopback = new() { AllowInsecureLoopback = true };

    [Theory]
    [InlineData("acme.api-us1.com")]
    [InlineData("ACME.Api-Us1.com")]
    [InlineData("acme.activehosted.com")]
    [InlineData("my-shop-42.api-us1.com")]
    [InlineData("eu.acme.activehosted.com")]
    public void AccountHostNames_AreAccepted(string hostname) => Assert.Null(HostnameRules.Validate(hostname, Strict));

    [Theory]
    [InlineData("https://acme.api-us1.com", "without https://")]
    [InlineData("http://acme.api-us1.com", "without http://")]
    [InlineData("acme.api-us1.com/api/3", "without a path")]
    [InlineData("acme.api-us1.com\\api", "without a path")]
    [InlineData("acme.api-us1.com?x=1", "without a query")]
    [InlineData("acme.api-us1.com#top", "without a fragment")]
    [InlineData("user@acme.api-us1.com", "before '@'")]
    [InlineData("acme.api-us1.com@evil.example", "before '@'")]
    [InlineData(" acme.api-us1.com", "spaces")]
    [InlineData("acme.api-us1.com\t", "spaces")]
    [InlineData("acme .api-us1.com", "spaces")]
    [InlineData("acme.api-us1.com:443", "Remove the port")]
    [InlineData("acme.api-us1.com.", "dot at the end")]
    [InlineData("acme..api-us1.com", "empty part")]
    [InlineData(".acme.api-us1.com", "empty part")]
    [InlineData("acme_1.api-us1.com", "contains '_'")]
    [InlineData("acme%2e.api-us1.com", "contains '%'")]
    [InlineData("-acme.api-us1.com", "hyphen")]
    [InlineData("evilapi-us1.com", "must end with .api-us1.com or .activehosted.com")]
    [InlineData("acme.api-us1.com.evil.example", "must end with")]
    [InlineData("api-us1.com", "not api-us1.com alone")]
    [InlineData("activehosted.com", "not activehosted.com alone")]
    [InlineData("xn--acme-9za.api-us1.com", "Punycode")]
    [InlineData("\u0430cme.api-us1.com", "non-ASCII")] // Cyrillic 'а'
    [InlineData("acme.api-us1.com\u200B", "non-ASCII")] // zero-width space
    [InlineData("", "Enter the host name")]
    public void Mistakes_AreRejectedWithActionableMessage(string hostname, string expectedHint)
    {
        var error = HostnameRules.Validate(hostname, Strict);

        Assert.NotNull(error);
        Assert.Contains(expectedHint, error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.5")]
    [InlineData("169.254.169.254")]
    [InlineData("2130706433")]
    [InlineData("0x7f000001")]
    [InlineData("0x7f.1")]
    [InlineData("0177.0.0.1")]
    [InlineData("127.1")]
    [InlineData("acme.api-us1.com.1")]
    [InlineData("[::1]")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    public void IpLiterals_AreRejected(string hostname)
    {
        var error = HostnameRules.Validate(hostname, WithLoopback);

        Assert.NotNull(error);
        Assert.True(error.Contains("IP addresses", StringComparison.Ordinal) || error.Contains("Add the port", StringComparison.Ordinal), error);
    }

    [Theory]
    [InlineData("127.0.0.1:5080")]
    [InlineData("localhost:5080")]
    [InlineData("LocalHost:1")]
    [InlineData("[::1]:65535")]
    public void LoopbackWithPort_IsAllowedOnlyWhenConfigured(string hostname)
    {
        Assert.True(HostnameRules.IsLoopbackHost(hostname));
        Assert.Null(HostnameRules.Validate(hostname, WithLoopback));
        Assert.Contains("AllowInsecureLoopback", HostnameRules.Validate(hostname, Strict));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.2:80")]
    [InlineData("localhost:80/x")]
    [InlineData("localhost:")]
    [InlineData("acme.api-us1.com:80")]
    public void NotLoopbackWithValidPort(string hostname)
    {
        Assert.False(HostnameRules.IsLoopbackHost(hostname));
        Assert.NotNull(HostnameRules.Validate(hostname, WithLoopback));
    }

    [Fact]
    public void LoopbackWithoutPort_AsksForThePort_WhenLoopbackIsAllowed() =>
        Assert.Contains("Add the port", HostnameRules.Validate("localhost", WithLoopback));

    [Fact]
    public void ConfiguredSuffixes_ReplaceTheDefaults()
    {
        var options = new ActiveCampaignOptions { AllowedHostSuffixes = [".Example.test"] };

        Assert.Null(HostnameRules.Validate("acme.example.test", options));
        Assert.Contains("must end with .example.test", HostnameRules.Validate("acme.api-us1.com", options));
    }

    [Fact]
    public void Normalize_Lowercases() => Assert.Equal("acme.api-us1.com", HostnameRules.Normalize("ACME.Api-US1.com"));
}

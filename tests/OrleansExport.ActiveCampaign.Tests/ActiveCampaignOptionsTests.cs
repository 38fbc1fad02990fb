using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class ActiveCampaignOptionsTests
{
    [Fact]
    public void NoConfiguration_GivesTheDocumentedDefaults()
    {
        var options = Bind([]);

        Assert.Equal(["api-us1.com", "activehosted.com"], options.GetAllowedHostSuffixes());
        Assert.False(options.AllowInsecureLoopback);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.Equal(6, options.MaxRetryAttempts);
        Assert.Equal(
            (5, 100, 20, 250, 399_999, 1.0),
            (options.Limits.RequestsPerSecond, options.Limits.BulkImportsPerMinute, options.Limits.SingleContactImportsPerMinute,
             options.Limits.MaxContactsPerImport, options.Limits.MaxImportBytes, options.Limits.TimeScale));
    }

    [Theory]
    [InlineData(null, false, null)]
    [InlineData("https://orleans-export.example.com", false, null)]
    [InlineData("https://orleans-export.example.com:8443/base", false, null)]
    [InlineData("http://127.0.0.1:5000", true, null)]
    [InlineData("http://127.0.0.1:5000", false, "must use https")]
    [InlineData("http://orleans-export.example.com", true, "must use https")]
    [InlineData("ftp://orleans-export.example.com", false, "absolute https URL")]
    [InlineData("/relative", false, "absolute https URL")]
    [InlineData("https://user:secret@orleans-export.example.com", false, "user name")]
    [InlineData("https://orleans-export.example.com/?token=1", false, "query")]
    public void WebhookBaseUrl_IsHttpsOrLoopbackHttpWhenAllowed(string? url, bool allowInsecureLoopback, string? problem)
    {
        var result = new WebhookBaseUrlValidator().Validate(null, new ActiveCampaignOptions { WebhookBaseUrl = url, AllowInsecureLoopback = allowInsecureLoopback });

        if (problem is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.Contains(problem, result.FailureMessage);
            Assert.StartsWith("ActiveCampaign:WebhookBaseUrl: ", result.FailureMessage);
        }
    }

    [Fact]
    public void ConfiguredSuffixes_ReplaceTheDefaultsInsteadOfBeingAppended()
    {
        var options = Bind(new() { ["ActiveCampaign:AllowedHostSuffixes:0"] = "example.test" });

        Assert.Equal(["example.test"], options.GetAllowedHostSuffixes());
    }

    [Fact]
    public void NestedLimits_AreBound()
    {
        var options = Bind(new() { ["ActiveCampaign:Limits:TimeScale"] = "60", ["ActiveCampaign:AllowInsecureLoopback"] = "true" });

        Assert.Equal(60, options.Limits.TimeScale);
        Assert.True(options.AllowInsecureLoopback);
    }

    [Theory]
    [InlineData("ActiveCampaign:Limits:MaxContactsPerImport", "500", "MaxContactsPerImport")]
    [InlineData("ActiveCampaign:Limits:TimeScale", "0", "TimeScale")]
    [InlineData("ActiveCampaign:MaxRetryAttempts", "-1", "MaxRetryAttempts")]
    [InlineData("ActiveCampaign:AllowedHostSuffixes:0", "https://x.test/", "AllowedHostSuffixes")]
    public void InvalidSettings_FailValidationNamingTheSetting(string key, string value, string expectedName)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(expectedName, exception.Message);
    }

    private static ActiveCampaignOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddActiveCampaignClient(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ActiveCampaignOptions>>().Value;
    }
}

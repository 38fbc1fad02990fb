namespace OrleansExport.ActiveCampaign.Tests;

public sealed class WebhookUrlRulesTests
{
    private static readonly ActiveCampaignOptions Strict = new();
    private static readonly ActiveCampaignOptions WithLoopback = new() { AllowInsecureLoopback = true };

    [Theory]
    [InlineData("https://hooks.example.com/orleans-export")]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXX?x=1")]
    [InlineData("https://HOOKS.Example.com:443/a")]
    public void HttpsUrlsToHostNames_AreAccepted(string url) => Assert.Null(WebhookUrlRules.Validate(url, Strict));

    [Theory]
    [InlineData("http://hooks.example.com/a", "must use https")]
    [InlineData("ftp://hooks.example.com/a", "absolute https URL")]
    [InlineData("hooks.example.com/a", "absolute https URL")]
    [InlineData("https://user:pass@hooks.example.com/a", "user name and password")]
    [InlineData("https://10.0.0.5/a", "IP addresses")]
    [InlineData("https://[fd00::1]/a", "IP addresses")]
    [InlineData("https://169.254.169.254/latest/meta-data", "IP addresses")]
    [InlineData("https://hooks.example.com:8443/a", "Remove the port")]
    [InlineData("https://xn--pple-43d.com/a", "Punycode")]
    [InlineData("https://3232235777/a", "IP addresses")]
    [InlineData("https://2130706433/a", "Local addresses")]
    [InlineData("https://hooks.exämple.com/a", "ASCII")]
    [InlineData("https://hooks.example.com/a b", "without spaces")]
    [InlineData("http://127.0.0.1:8080/a", "AllowInsecureLoopback")]
    [InlineData("https://localhost/a", "AllowInsecureLoopback")]
    public void OtherUrls_AreRefusedWithWhatToFix(string url, string expected) =>
        Assert.Contains(expected, WebhookUrlRules.Validate(url, Strict));

    [Fact]
    public void LoopbackWithAPort_IsAcceptedOverHttp_OnlyWhenAllowed()
    {
        Assert.Null(WebhookUrlRules.Validate("http://127.0.0.1:8080/hook", WithLoopback));
        Assert.NotNull(WebhookUrlRules.Validate("http://127.0.0.1:8080/hook", Strict));
        Assert.NotNull(WebhookUrlRules.Validate("http://10.0.0.1:8080/hook", WithLoopback));
    }

    [Fact]
    public void AVeryLongUrl_IsRefused() =>
        Assert.Contains("at most", WebhookUrlRules.Validate("https://hooks.example.com/" + new string('a', WebhookUrlRules.MaxLength), Strict));
}

using System.Diagnostics;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.IntegrationTests;

public sealed class TraceRedactionTests
{
    [Fact]
    public void HttpClientSpans_KeepSchemeAndHostOfUrlFull_NeverTheWebhookPath()
    {
        using var activity = new Activity("POST").SetTag("url.full", "https://hooks.example.com/services/T0/B0/secret-token?x=1").SetTag("url.path", "/services/T0/B0/secret-token");

        new UrlRedactingProcessor().OnEnd(activity);

        Assert.Equal("https://hooks.example.com", activity.GetTagItem("url.full"));
        Assert.Null(activity.GetTagItem("url.path"));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using OrleansExport.ProductionTests.Infrastructure;

namespace OrleansExport.ProductionTests;

/// <summary>The host served over TLS (Kestrel with a certificate from configuration): every answer asks browsers to keep to https.</summary>
public sealed class HttpsAnswersTests
{
    [Fact]
    public async Task OverTls_EveryAnswerCarriesHsts_WithTheOtherSecurityHeaders()
    {
        var certificatePath = TestCertificates.Write("localhost");
        var settings = new SiloSettings().WithFreePorts();
        settings["urls"] = "https://127.0.0.1:0";
        settings["Kestrel:Certificates:Default:Path"] = certificatePath;
        settings["Kestrel:Certificates:Default:Password"] = TestCertificates.Password;
        await using var silo = await InProcessSilo.StartAsync(settings);
        Assert.Equal("https", silo.BaseAddress.Scheme);

        using var expected = TestCertificates.Load(certificatePath);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == expected.Thumbprint,
        };
        using var client = new HttpClient(handler) { BaseAddress = silo.BaseAddress };

        foreach (var (path, key) in new[] { ("/docs/", null), ("/no-such-page", null), ("/api/exports", null), ("/api/exports", SiloSettings.AdminKey), ("/dashboard", SiloSettings.AdminKey) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.True((int)response.StatusCode < 500, $"{path} answered {response.StatusCode}");
            Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        }
    }
}

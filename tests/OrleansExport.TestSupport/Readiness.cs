using System.Net;

namespace OrleansExport.TestSupport;

public static class Readiness
{
    /// <summary>Waits until the host at <paramref name="baseAddress"/> answers ready: it has joined its cluster and answers grain calls.</summary>
    public static async Task WaitAsync(Uri baseAddress, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                return response.StatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return HttpStatusCode.ServiceUnavailable;
            }
        }, status => status == HttpStatusCode.OK, timeout, $"{baseAddress} to be ready");
    }
}

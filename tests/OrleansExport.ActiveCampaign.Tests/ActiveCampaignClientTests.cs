using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class ActiveCampaignClientTests : IAsyncLifetime
{
    private const string ApiKey = "k3y-5ecret-0123456789abcdef";

    private static readonly BulkContact Ann = new("ann@example.com", "Ann", null, null, [], [], "1", null);
    private static readonly BulkContact Bob = new("bob@example.com", "Bob", null, null, [], [], "1", null);

    private readonly RecordingPacer pacer = new();
    private readonly CapturingLoggerProvider logs = new();
    private FakeActiveCampaignServer server = null!;
    private ServiceProvider? services;

    private ActiveCampaignAccount Account => new(server.Hostname, ApiKey);

    public async Task InitializeAsync() => server = await FakeActiveCampaignServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        await server.DisposeAsync();
    }

    [Fact]
    public async Task VerifyApiKey_SendsTheKeyInTheApiTokenHeader_AfterAPermit()
    {
        await Client().VerifyApiKeyAsync(Account, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/3/users/me", ApiKey), (request.Method, request.PathAndQuery, request.ApiToken));
        Assert.Equal([(server.Hostname, RequestKind.Other)], pacer.Acquired);
    }

    [Fact]
    public async Task RefusedKey_ThrowsAuthException_WithoutRetryingOrShowingTheKey()
    {
        server.Respond(403, """{"message":"No Result found"}""");

        var exception = await Assert.ThrowsAsync<ActiveCampaignAuthException>(() => Client().VerifyApiKeyAsync(Account, CancellationToken.None));

        Assert.Contains(server.Hostname, exception.Message);
        Assert.DoesNotContain(ApiKey, exception.ToString());
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ServerErrors_AreRetried_AndEachAttemptTakesAPermit()
    {
        server.Respond(500).Respond(502).Respond(200, """{"success":1,"queued_contacts":2,"batchId":"b-1","message":"Contact import queued"}""");

        var result = await Client().BulkImportAsync(Account, [Ann, Bob], CancellationToken.None);

        Assert.Equal(new BulkImportResult.Queued("b-1", 2), result);
        var expectedBody = System.Text.Encoding.UTF8.GetString(BulkImportSerializer.Serialize([Ann, Bob]));
        Assert.All(server.Requests, request => Assert.Equal(("/api/3/import/bulk_import", expectedBody), (request.PathAndQuery, request.Body)));
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(Enumerable.Repeat((server.Hostname, RequestKind.BulkImportMulti), 3), pacer.Acquired);
    }

    [Fact]
    public async Task Throttled_WaitsRetryAfter_ReportsItToThePacer_AndCountsIt()
    {
        using var throttledCount = new ThrottledCounter("import/bulk_import");
        server.Respond(429, headers: h => h.RetryAfter = "1").Respond(200, """{"success":1,"queued_contacts":1,"batchId":"b-2"}""");

        var result = await Client().BulkImportAsync(Account, [Ann], CancellationToken.None);

        Assert.Equal(new BulkImportResult.Queued("b-2", 1), result);
        Assert.InRange(server.Requests[1].At - server.Requests[0].At, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(10));
        Assert.Equal([(server.Hostname, TimeSpan.FromSeconds(1))], pacer.Throttled);
        Assert.Equal(Enumerable.Repeat((server.Hostname, RequestKind.BulkImportSingle), 2), pacer.Acquired);
        Assert.Equal(1, throttledCount.Value);
    }

    [Fact]
    public async Task Throttled_PrefersTheMillisecondHeader()
    {
        server.Respond(429, headers: h => { h.RetryAfter = "30"; h[RetryAfter.MillisecondsHeader] = "100"; }).Respond(200);

        await Client().VerifyApiKeyAsync(Account, CancellationToken.None);

        Assert.Equal([(server.Hostname, TimeSpan.FromMilliseconds(100))], pacer.Throttled);
        Assert.InRange(server.Requests[1].At - server.Requests[0].At, TimeSpan.FromMilliseconds(95), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SlowAttempt_TimesOutAndIsRetried()
    {
        server.Respond(200, delay: Timeout.InfiniteTimeSpan).Respond(200);
        // The timeout leaves a busy CI machine room to answer the quick second attempt in time.
        var client = Client(("ActiveCampaign:RequestTimeout", "00:00:02"));

        var call = Stopwatch.StartNew();
        await client.VerifyApiKeyAsync(Account, CancellationToken.None);
        call.Stop();

        Assert.Equal(2, server.Requests.Count);
        // The first attempt never answers: the call lasts the 2 s timeout, far less than the 30 s default an ignored override would take.
        Assert.InRange(call.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task InvalidContacts_AreReportedByIndex_WithoutRetry()
    {
        server.Respond(400, """{"success":0,"message":"JSON payload did not pass validation","failureReasons":[{"contact":1,"failureReason":"Invalid email address"}]}""");

        var result = await Client().BulkImportAsync(Account, [Ann, Bob], CancellationToken.None);

        var invalid = Assert.IsType<BulkImportResult.Invalid>(result);
        Assert.Equal([new ContactFailure(1, "Invalid email address")], invalid.Failures);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RateLimit400_IsAThrottle_RetriedAndCounted_NeverAVerdictOnContacts()
    {
        using var throttledCount = new ThrottledCounter("import/bulk_import");
        server.Respond(400, """{"success":0,"message":"Rate limit exceeded.","failureReasons":["Up to 100 imports may be requested per minute"]}""")
            .Respond(200, """{"success":1,"queued_contacts":2,"batchId":"b-3"}""");

        var result = await Client().BulkImportAsync(Account, [Ann, Bob], CancellationToken.None);

        Assert.Equal(new BulkImportResult.Queued("b-3", 2), result);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(1, throttledCount.Value);
    }

    [Fact]
    public async Task RateLimit400_ThatNeverPasses_ThrowsThrottled_AfterTheRetries()
    {
        for (var i = 0; i < 3; i++)
        {
            server.Respond(400, """{"success":0,"message":"Rate limit exceeded.","failureReasons":["Up to 100 imports may be requested per minute"]}""");
        }

        var exception = await Assert.ThrowsAsync<ActiveCampaignThrottledException>(
            () => Client(("ActiveCampaign:MaxRetryAttempts", "2")).BulkImportAsync(Account, [Ann, Bob], CancellationToken.None));

        Assert.Contains("Rate limit exceeded", exception.Message);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task BadRequestNamingNoContact_IsRefused_WithItsReason_NotInvalid()
    {
        server.Respond(400, """{"success":0,"message":"Invalid data","failureReasons":["Something went wrong"]}""");

        var result = await Client().BulkImportAsync(Account, [Ann, Bob], CancellationToken.None);

        Assert.Equal(new BulkImportResult.Refused("Invalid data Something went wrong"), result);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task LoginPage_WhileUsersMeStillAcceptsTheKey_IsAPassingFault_NotARefusedKey()
    {
        server.Respond(200, "<html><body>Log in</body></html>", contentType: "text/html").Respond(200, """{"user":{"id":"1"}}""");

        var exception = await Assert.ThrowsAsync<ActiveCampaignException>(() => Client().BulkImportAsync(Account, [Ann, Bob], CancellationToken.None));

        Assert.Contains("HTML page instead of JSON", exception.Message);
        Assert.Equal(["/api/3/import/bulk_import", "/api/3/users/me"], server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task LoginPage_ThatUsersMeAnswersToo_IsARefusedKey()
    {
        for (var i = 0; i < 4; i++)
        {
            server.Respond(200, "<html><body>Log in</body></html>", contentType: "text/html");
        }

        var exception = await Assert.ThrowsAsync<ActiveCampaignAuthException>(() => Client().BulkImportAsync(Account, [Ann, Bob], CancellationToken.None));

        Assert.DoesNotContain(ApiKey, exception.ToString());
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task ImportInfo_IsReadLeniently()
    {
        server.Respond(200, """{"status":"completed","success":[101,"102"],"failure":["bad@example.com",{"email":"worse@example.com"}]}""");

        var info = await Client().GetImportInfoAsync(Account, "b 1", CancellationToken.None);

        Assert.True(info.IsCompleted);
        Assert.Equal(["101", "102"], info.SucceededContactIds);
        Assert.Equal(["bad@example.com", "worse@example.com"], info.FailedEmails);
        Assert.Equal("/api/3/import/info?batchId=b%201", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task ListExists_IsFalseOn404()
    {
        server.Respond(200, """{"list":{"id":"1"}}""").Respond(404, """{"message":"No Result found for List with id 9"}""");
        var client = Client();

        Assert.True(await client.ListExistsAsync(Account, "1", CancellationToken.None));
        Assert.False(await client.ListExistsAsync(Account, "9", CancellationToken.None));
        Assert.Equal(["/api/3/lists/1", "/api/3/lists/9"], server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task SyncContact_SendsCamelCase_AndReturnsTheId()
    {
        server.Respond(201, """{"contact":{"id":123,"email":"ann@example.com"}}""");

        var result = await Client().SyncContactAsync(Account, new SyncContact("ann@example.com", "Ann", null, "+47", [new FieldValue(7, "gold")]), CancellationToken.None);

        Assert.Equal(new SyncResult("123", null), result);
        Assert.Equal(
            """{"contact":{"email":"ann@example.com","firstName":"Ann","phone":"+47","fieldValues":[{"field":"7","value":"gold"}]}}""",
            Assert.Single(server.Requests).Body);
    }

    [Fact]
    public async Task SyncContact_422_ReturnsTheError()
    {
        server.Respond(422, """{"errors":[{"title":"Email address is invalid.","code":"email_invalid"}]}""");

        var result = await Client().SyncContactAsync(Account, new SyncContact("bad", null, null, null, []), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("Email address is invalid.", result.Error);
    }

    [Fact]
    public async Task SetListStatus_PostsTheContactList()
    {
        server.Respond(201);

        await Client().SetListStatusAsync(Account, "1", "123", 1, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/3/contactLists", request.PathAndQuery);
        Assert.Equal("""{"contactList":{"list":"1","contact":"123","status":1}}""", request.Body);
    }

    [Fact]
    public async Task Failures_NeverPutTheKeyInLogsOrExceptions()
    {
        var client = Client(("ActiveCampaign:MaxRetryAttempts", "2"));
        server.Respond(403).Respond(500).Respond(500).Respond(500, $$"""{"message":"bad token {{ApiKey}}"}""");

        var refused = await Assert.ThrowsAsync<ActiveCampaignAuthException>(() => client.VerifyApiKeyAsync(Account, CancellationToken.None));
        var failed = await Assert.ThrowsAsync<ActiveCampaignException>(() => client.BulkImportAsync(Account, [Ann, Bob], CancellationToken.None));
        var closedPort = await ClosedPortAccountAsync();
        var unreachable = await Assert.ThrowsAsync<ActiveCampaignException>(() => client.VerifyApiKeyAsync(closedPort, CancellationToken.None));

        Assert.Equal(500, failed.StatusCode);
        Assert.Contains("bad token ****", failed.Message);
        Assert.Null(unreachable.StatusCode);
        Assert.Contains(logs.Lines, line => line.Contains("Retry", StringComparison.Ordinal)); // the capture sees the retry telemetry
        Assert.All(logs.Lines, line => Assert.DoesNotContain(ApiKey, line));
        Assert.All(new Exception[] { refused, failed, unreachable }, exception => Assert.DoesNotContain(ApiKey, exception.ToString()));
    }

    [Fact]
    public async Task HostOutsideTheAllowedSuffixes_IsNeverContacted()
    {
        var client = Client(("ActiveCampaign:AllowInsecureLoopback", "false"));

        var exception = await Assert.ThrowsAsync<ActiveCampaignException>(() => client.VerifyApiKeyAsync(Account, CancellationToken.None));

        Assert.Contains("AllowInsecureLoopback", exception.Message);
        Assert.Empty(server.Requests);
        Assert.Empty(pacer.Acquired);
    }

    private IActiveCampaignClient Client(params (string Key, string Value)[] overrides)
    {
        services = TestClients.Build(pacer, logs, resolver: null, overrides);
        return services.GetRequiredService<IActiveCampaignClient>();
    }

    private static async Task<ActiveCampaignAccount> ClosedPortAccountAsync()
    {
        var stopped = await FakeActiveCampaignServer.StartAsync();
        await stopped.DisposeAsync();
        return new ActiveCampaignAccount(stopped.Hostname, ApiKey);
    }

    /// <summary>Sums the throttled counter for one endpoint while it lives.</summary>
    private sealed class ThrottledCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long value;

        public ThrottledCounter(string endpoint)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument is { Name: ActiveCampaignMetrics.ThrottledInstrument, Meter.Name: ActiveCampaignMetrics.MeterName })
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "endpoint" } && Equals(tag.Value, endpoint))
                    {
                        Interlocked.Add(ref value, measurement);
                    }
                }
            });
            listener.Start();
        }

        public long Value => Interlocked.Read(ref value);

        public void Dispose() => listener.Dispose();
    }
}

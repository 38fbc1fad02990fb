using System.Net;
using System.Text.Json;
using OrleansExport.Cli;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// The mass-unsubscribe guard, the send preview and one contact's story, in a cluster with the simulator: a broken
/// upstream snapshot ends held with nobody unsubscribed, a person releases it or upstream corrects it; small leaves and
/// an export without the guard send at once; the preview counts what is then sent; and the members lookup answers for
/// each state a contact can be in.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class GuardrailsTests(SiloFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private AlertReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await AlertReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static string Email(string prefix, int i) => $"{prefix}{i}@example.com";

    /// <summary>An export of <paramref name="members"/> profiles, every one subscribed in its own list.</summary>
    private async Task<(string Export, string List)> SubscribedExportAsync(string prefix, int members, object? maxUnsubscribePercent = null, bool guardGiven = false, string? hook = null)
    {
        var segment = $"seg-{prefix}";
        var list = fixture.Simulator.State.NewList($"l-{prefix}");
        var connection = await Api.CreateConnectionAsync(fixture);
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, members).Select(i => Api.Joined(segment, $"{prefix}{i}", Email(prefix, i), T0)));
        var body = new Dictionary<string, object?>
        {
            ["displayName"] = $"Guard {prefix}",
            ["connectionId"] = connection,
            ["listId"] = list,
            ["segmentIds"] = new[] { segment },
            ["mapping"] = new { email = "EmailAddress", firstName = "FirstName" },
        };
        if (guardGiven)
        {
            body["maxUnsubscribePercent"] = maxUnsubscribePercent;
        }

        if (hook is not null)
        {
            body["alertWebhook"] = _receiver.Url(hook);
        }

        var created = await fixture.Client().PostJsonAsync("/api/exports", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var export = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64() == members, $"{members} members");
        await Api.RunToEndAsync(fixture, export);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, list).Count == members), $"{members} subscribed");
        return (export, list);
    }

    /// <summary>Upstream refreshes the segment naming only profiles <paramref name="named"/>: the others leave after the snapshot's grace.</summary>
    private Task SnapshotAsync(string prefix, IEnumerable<int> named, int hour)
    {
        var segment = $"seg-{prefix}";
        var snapshotId = $"snap-{prefix}-{hour}";
        var at = T0.AddHours(hour);
        var events = new List<SegmentEvent> { new($"{snapshotId}-start", segment, "", SegmentEventType.SnapshotStarted, at, null, snapshotId) };
        events.AddRange(named.Select(i => Api.Joined(segment, $"{prefix}{i}", Email(prefix, i), at.AddSeconds(1)) with { SnapshotId = snapshotId }));
        events.Add(new($"{snapshotId}-end", segment, "", SegmentEventType.SnapshotCompleted, at.AddMinutes(1), null, snapshotId));
        return Api.PostEventsAsync(fixture, events);
    }

    private int UnsubscribedOn(string list) => fixture.Simulator.State.GetListContacts(list).Count(c => c.Status == 2);

    private async Task<JsonElement> PreviewAsync(string export, string key = SiloFixture.AdminKey)
    {
        var response = await fixture.Client(key).GetAsync($"/api/exports/{export}/preview");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<JsonElement>();
    }

    private static long Held(JsonElement export) => export.GetProperty("held").ValueKind == JsonValueKind.Null ? 0 : export.GetProperty("held").GetProperty("count").GetInt64();

    [Fact]
    public async Task SnapshotNamingFortyOfFourHundred_EndsHeldWithNobodyUnsubscribed_AlertsAndPreviews_ThenAReleaseSendsThem()
    {
        var (export, list) = await SubscribedExportAsync("gh", 400, hook: "held");
        Assert.Equal(20, (await Api.GetExportAsync(fixture, export)).GetProperty("maxUnsubscribePercent").GetInt32());

        await SnapshotAsync("gh", Enumerable.Range(0, 40), hour: 1);

        await Api.EventuallyAsync(async () => Held(await Api.GetExportAsync(fixture, export)) == 360, "360 unsubscribes to be held",
            TimeSpan.FromSeconds(30), async () => (await Api.GetExportAsync(fixture, export)).ToString());
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal((0, 400), (UnsubscribedOn(list), Api.SubscribedEmails(fixture, list).Count));
        var status = await Api.GetExportAsync(fixture, export);
        Assert.Contains("360 unsubscribes are held", status.GetProperty("held").GetProperty("reason").GetString());
        await Api.EventuallyAsync(() => Task.FromResult(_receiver.Alerts("held").Any(a => a.GetProperty("event").GetString() == "unsubscribesHeld")), "the unsubscribesHeld alert");
        var alert = _receiver.Alerts("held").Single(a => a.GetProperty("event").GetString() == "unsubscribesHeld");
        Assert.Equal(export, alert.GetProperty("exportId").GetString());

        var preview = await PreviewAsync(export, SiloFixture.ViewerKey);
        Assert.Equal((0L, 360L), (preview.GetProperty("unsubscribe").GetInt64(), preview.GetProperty("held").GetInt64()));
        Assert.Equal(20, preview.GetProperty("examples").GetArrayLength());
        Assert.All(preview.GetProperty("examples").EnumerateArray(), e => Assert.Equal("held", e.GetProperty("action").GetString()));

        // Joins keep flowing while unsubscribes are held.
        await Api.PostEventsAsync(fixture, [Api.Joined("seg-gh", "gh-new", "gh-new@example.com", T0.AddHours(2))]);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, list).Contains("gh-new@example.com")), "the new member to be subscribed");
        Assert.Equal(0, UnsubscribedOn(list));

        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Client(SiloFixture.ViewerKey).PostAsync($"/api/exports/{export}/release", null)).StatusCode);
        var released = await fixture.Client().PostAsync($"/api/exports/{export}/release", null);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        await Api.EventuallyAsync(() => Task.FromResult(UnsubscribedOn(list) == 360), "the 360 released unsubscribes to be sent", TimeSpan.FromSeconds(30));
        Assert.Equal(41, Api.SubscribedEmails(fixture, list).Count);
        Assert.Equal(0, Held(await Api.GetExportAsync(fixture, export)));
        var again = await fixture.Client().PostAsync($"/api/exports/{export}/release", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var audit = await (await fixture.Client().GetAsync("/api/audit?limit=1000")).ReadAsync<JsonElement>();
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "unsubscribesReleased"
            && e.GetProperty("subjectId").GetString() == export && e.GetProperty("by").GetString() == "alice");
    }

    [Fact]
    public async Task AFullRunWhoseUnsubscribesAreHeld_EndsPartiallySucceeded_SayingSo_AndFreesTheAccountsQueue()
    {
        var (export, list) = await SubscribedExportAsync("gr", 400);
        await SnapshotAsync("gr", Enumerable.Range(0, 40), hour: 1);
        await Api.EventuallyAsync(async () => Held(await Api.GetExportAsync(fixture, export)) == 360, "360 unsubscribes to be held", TimeSpan.FromSeconds(30));

        var run = await Api.RunToEndAsync(fixture, export);

        Assert.Equal("partiallySucceeded", run.GetProperty("status").GetString());
        Assert.Contains("360 unsubscribes of this run are held", run.GetProperty("error").GetString());
        Assert.Equal((0, 400), (UnsubscribedOn(list), Api.SubscribedEmails(fixture, list).Count));
        Assert.Equal(360, Held(await Api.GetExportAsync(fixture, export)));

        // The account's run queue is free: the next run starts and ends too.
        Assert.Equal("partiallySucceeded", (await Api.RunToEndAsync(fixture, export)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CorrectedSnapshot_LiftsTheHoldByItself_WithNobodyUnsubscribed()
    {
        var (export, list) = await SubscribedExportAsync("gc", 400);
        await SnapshotAsync("gc", Enumerable.Range(0, 40), hour: 1);
        await Api.EventuallyAsync(async () => Held(await Api.GetExportAsync(fixture, export)) == 360, "360 unsubscribes to be held", TimeSpan.FromSeconds(30));

        await SnapshotAsync("gc", Enumerable.Range(0, 400), hour: 2);

        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("held").ValueKind == JsonValueKind.Null,
            "the hold to lift", TimeSpan.FromSeconds(30), async () => (await Api.GetExportAsync(fixture, export)).ToString());
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("pending").GetInt64() == 0, "nothing pending");
        Assert.Equal((0, 400), (UnsubscribedOn(list), Api.SubscribedEmails(fixture, list).Count));
        Assert.Equal(409, (int)(await fixture.Client().PostAsync($"/api/exports/{export}/release", null)).StatusCode);
    }

    [Fact]
    public async Task SmallLeave_IsNotHeld_AndAnExportWithTheGuardOff_SendsAMassLeaveAtOnce_AsItsPreviewSaid()
    {
        var (small, smallList) = await SubscribedExportAsync("gs", 200);
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 90).Select(i => Api.Left("seg-gs", $"gs{i}", T0.AddHours(1))));
        await Api.EventuallyAsync(() => Task.FromResult(UnsubscribedOn(smallList) == 90), "90 of 200 to be unsubscribed (under 100: never held)", TimeSpan.FromSeconds(30));
        Assert.Equal(0, Held(await Api.GetExportAsync(fixture, small)));

        var (off, offList) = await SubscribedExportAsync("go", 200, maxUnsubscribePercent: null, guardGiven: true);
        Assert.Equal(JsonValueKind.Null, (await Api.GetExportAsync(fixture, off)).GetProperty("maxUnsubscribePercent").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PostAsync($"/api/exports/{off}/pause", null)).StatusCode);
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 150).Select(i => Api.Left("seg-go", $"go{i}", T0.AddHours(1)))
            .Append(Api.Joined("seg-go", "go-new", "go-new@example.com", T0.AddHours(1)))
            .Append(Api.Joined("seg-go", "go199", "go199-changed@example.com", T0.AddHours(1))));
        // go199's new address is a new contact, and its old one is unsubscribed with the 150 leaves.
        await Api.EventuallyAsync(async () => (await PreviewAsync(off)).GetProperty("unsubscribe").GetInt64() == 151, "the preview to count 151 unsubscribes");
        var preview = await PreviewAsync(off);
        Assert.Equal((2L, 0L, 0L, 151L, 0L, 0L), (preview.GetProperty("subscribe").GetInt64(), preview.GetProperty("update").GetInt64(), preview.GetProperty("resubscribe").GetInt64(),
            preview.GetProperty("unsubscribe").GetInt64(), preview.GetProperty("delete").GetInt64(), preview.GetProperty("held").GetInt64()));
        Assert.Equal((0, 200), (UnsubscribedOn(offList), Api.SubscribedEmails(fixture, offList).Count));

        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PostAsync($"/api/exports/{off}/resume", null)).StatusCode);

        await Api.EventuallyAsync(() => Task.FromResult(UnsubscribedOn(offList) == 151 && Api.SubscribedEmails(fixture, offList).Contains("go-new@example.com")),
            "151 unsubscribed and the new member subscribed", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(Email("go", 199), Api.SubscribedEmails(fixture, offList));
        Assert.Equal(0, Held(await Api.GetExportAsync(fixture, off)));
        Assert.Contains("go199-changed@example.com", Api.SubscribedEmails(fixture, offList));
    }

    [Fact]
    public async Task MaxUnsubscribePercent_IsChangedByPatch_AndOutOfRangeIs400()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, "seg-gp", fixture.Simulator.State.NewList("l-gp"), firstRun: false);
        var patched = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { maxUnsubscribePercent = 50 });
        Assert.Equal(50, (await patched.ReadAsync<JsonElement>()).GetProperty("maxUnsubscribePercent").GetInt32());
        var off = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new Dictionary<string, object?> { ["maxUnsubscribePercent"] = null });
        Assert.Equal(JsonValueKind.Null, (await off.ReadAsync<JsonElement>()).GetProperty("maxUnsubscribePercent").ValueKind);
        var bad = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { maxUnsubscribePercent = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("maxUnsubscribePercent", await bad.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> MemberAsync(string export, string profileOrQuery, HttpStatusCode expected = HttpStatusCode.OK, string key = SiloFixture.AdminKey)
    {
        var url = profileOrQuery.StartsWith('?') ? $"/api/exports/{export}/members{profileOrQuery}" : $"/api/exports/{export}/members/{profileOrQuery}";
        var response = await fixture.Client(key).GetAsync(url);
        Assert.Equal(expected, response.StatusCode);
        return await response.ReadAsync<JsonElement>();
    }

    private async Task<string> StateAsync(string export, string profile) => (await MemberAsync(export, profile)).GetProperty("state").GetString()!;

    [Fact]
    public async Task MemberLookup_AnswersForInSyncPendingRejectedSkippedByCapUnsubscribedAndErasedMembers_ByIdAndByEmail()
    {
        const string segment = "seg-gm";
        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var list = fixture.Simulator.State.NewList("l-gm");
        var connection = await Api.CreateConnectionAsync(fixture, profileCap: 4);
        await Api.PostEventsAsync(fixture, [
            Api.Joined(segment, "gm-ann", "Ann.GM@example.com", T0), Api.Joined(segment, "gm-bob", "gm-bob@example.com", T0),
            Api.Joined(segment, "gm-eve", "gm-eve@example.com", T0), Api.Joined(segment, "gm-bad", "not-an-email", T0)]);
        var export = await Api.CreateExportAsync(fixture, connection, segment, list);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, list).Count == 3), "3 subscribed");
        await Api.PostEventsAsync(fixture, [Api.Left(segment, "gm-bob", T0.AddMinutes(1)),
            new SegmentEvent(Guid.NewGuid().ToString("N"), segment, "gm-eve", SegmentEventType.Erased, T0.AddMinutes(1), null)]);
        await Api.EventuallyAsync(async () => await StateAsync(export, "gm-bob") == "unsubscribed" && await StateAsync(export, "gm-eve") == "erased", "bob unsubscribed and eve erased");

        // Paused: a new member waits to be sent. The cap (4) then has room for two of three more (ann and the new one hold two).
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PostAsync($"/api/exports/{export}/pause", null)).StatusCode);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "gm-new", "gm-new@example.com", T0.AddMinutes(2))]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("pending").GetInt64() == 1, "the new member pending");
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "gm-x1", "gm-x1@example.com", T0.AddMinutes(3)),
            Api.Joined(segment, "gm-x2", "gm-x2@example.com", T0.AddMinutes(3)), Api.Joined(segment, "gm-x3", "gm-x3@example.com", T0.AddMinutes(3))]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("skippedByCap").GetInt64() == 1, "one new member over the cap");

        var ann = await MemberAsync(export, "gm-ann", key: SiloFixture.ViewerKey);
        Assert.Equal(("inSync", "Ann.GM@example.com", segment), (ann.GetProperty("state").GetString(), ann.GetProperty("email").GetString(), ann.GetProperty("segments")[0].GetString()));
        Assert.Equal(T0, ann.GetProperty("lastChangeAt").GetDateTimeOffset());
        // Sent through the contact API (a small batch): its answer named the contact, and ActiveCampaign accepted it.
        var annInAccount = fixture.Simulator.State.GetListContacts(list).Single(c => c.Email.Equals("Ann.GM@example.com", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(annInAccount.Id, ann.GetProperty("contactId").GetString());
        Assert.InRange(ann.GetProperty("lastSentAt").GetDateTimeOffset(), startedAt, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("gm-ann", (await MemberAsync(export, "?email=ann.gm@EXAMPLE.com")).GetProperty("profileId").GetString());
        var neverSent = await MemberAsync(export, "gm-new");
        Assert.Equal(("pending", JsonValueKind.Null, JsonValueKind.Null),
            (neverSent.GetProperty("state").GetString(), neverSent.GetProperty("contactId").ValueKind, neverSent.GetProperty("lastSentAt").ValueKind));
        Assert.Equal("pending", (await MemberAsync(export, "?email=gm-new@example.com")).GetProperty("state").GetString());
        var bad = await MemberAsync(export, "gm-bad");
        Assert.Equal("rejected", bad.GetProperty("state").GetString());
        Assert.Contains("email", bad.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("gm-bad", (await MemberAsync(export, "?email=not-an-email")).GetProperty("profileId").GetString());
        var states = new List<string>();
        foreach (var profile in new[] { "gm-x1", "gm-x2", "gm-x3" })
        {
            states.Add(await StateAsync(export, profile));
        }

        Assert.Equal(["pending", "pending", "skippedByCap"], states.Order());
        var bob = await MemberAsync(export, "?email=GM-BOB@example.com");
        Assert.Equal(("gm-bob", "unsubscribed", 0), (bob.GetProperty("profileId").GetString(), bob.GetProperty("state").GetString(), bob.GetProperty("segments").GetArrayLength()));
        var eve = await MemberAsync(export, "gm-eve");
        Assert.Equal(JsonValueKind.Null, eve.GetProperty("email").ValueKind);
        await MemberAsync(export, "?email=gm-eve@example.com", HttpStatusCode.NotFound);
        await MemberAsync(export, "gm-never", HttpStatusCode.NotFound);
        await MemberAsync(export, "?email=", HttpStatusCode.BadRequest);
        await MemberAsync(export, "gm-ann", HttpStatusCode.Forbidden, SiloFixture.IngestKey);

        // The CLI tells the same story, by email or profile id.
        var byEmail = await CliAsync("exports", "member", export, "ANN.gm@example.com");
        Assert.True(byEmail.ExitCode == ExitCodes.Ok, byEmail.Error);
        Assert.Contains("gm-ann", byEmail.Output);
        Assert.Contains("inSync", byEmail.Output);
        Assert.Matches($@"Contact id\s+{annInAccount.Id}\s", byEmail.Output);
        var json = await CliAsync("exports", "member", export, "gm-bob", "--json");
        Assert.Equal("unsubscribed", JsonDocument.Parse(json.Output).RootElement.GetProperty("state").GetString());
        Assert.NotEqual(ExitCodes.Ok, (await CliAsync("exports", "member", export, "gm-never")).ExitCode);
    }

    private async Task<(int ExitCode, string Output, string Error)> CliAsync(params string[] args)
    {
        var environment = new Dictionary<string, string?> { [CliApp.UrlVariable] = fixture.BaseAddress.ToString(), [CliApp.KeyVariable] = SiloFixture.AdminKey };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, CliHost.Plain(output, error, name => environment.GetValueOrDefault(name)));
        return (exitCode, output.ToString(), error.ToString());
    }
}

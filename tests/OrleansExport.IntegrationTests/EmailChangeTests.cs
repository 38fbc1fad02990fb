using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// A member whose mapped email changes: the contact at the old address leaves the list (unsubscribed) whatever onLeave
/// says, the new address is subscribed, and a later leave acts on the current address.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class EmailChangeTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private enum SimContactStatus { Absent = 0, Subscribed = 1, Unsubscribed = 2 }

    private SimContactStatus StatusOn(string list, string email) =>
        fixture.Simulator.State.GetListContacts(list).FirstOrDefault(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase)) is { } contact
            ? (SimContactStatus)contact.Status : SimContactStatus.Absent;

    private static SegmentEvent Updated(string segment, string profile, string email, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), segment, profile, SegmentEventType.Updated, at,
            new Dictionary<string, string> { ["EmailAddress"] = email, ["FirstName"] = "Ann", ["LastName"] = "Lee", ["Tier"] = "gold" });

    private async Task<(string List, string Export)> ExportWithOneMemberAsync(string segment, string onLeave, string email)
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var list = fixture.Simulator.State.NewList(segment);
        var response = await fixture.Client().PostJsonAsync("/api/exports", Api.ExportBody(connection, segment, list, onLeave));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var export = (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Api.RunToEndAsync(fixture, export);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "p1", email, T0)]);
        await Api.EventuallyAsync(() => Task.FromResult(StatusOn(list, email) == SimContactStatus.Subscribed), "the first address to be subscribed");
        return (list, export);
    }

    [Fact]
    public async Task ChangedEmail_UnsubscribesTheOldAddressAndSubscribesTheNew_EvenWithOnLeaveKeep()
    {
        var (list, _) = await ExportWithOneMemberAsync("seg-email-keep", "keep", "first@example.com");

        await Api.PostEventsAsync(fixture, [Updated("seg-email-keep", "p1", "second@example.com", T0.AddMinutes(1))]);

        await Api.EventuallyAsync(() => Task.FromResult(StatusOn(list, "second@example.com") == SimContactStatus.Subscribed
                && StatusOn(list, "first@example.com") == SimContactStatus.Unsubscribed),
            "the new address subscribed and the old one unsubscribed",
            describe: () => Task.FromResult($"first: {StatusOn(list, "first@example.com")}, second: {StatusOn(list, "second@example.com")}"));
    }

    [Fact]
    public async Task ChangedEmailThenLeave_UnsubscribesBothAddresses()
    {
        var (list, _) = await ExportWithOneMemberAsync("seg-email-leave", "unsubscribe", "before@example.com");
        await Api.PostEventsAsync(fixture, [Updated("seg-email-leave", "p1", "after@example.com", T0.AddMinutes(1))]);
        await Api.EventuallyAsync(() => Task.FromResult(StatusOn(list, "after@example.com") == SimContactStatus.Subscribed), "the new address to be subscribed");

        await Api.PostEventsAsync(fixture, [Api.Left("seg-email-leave", "p1", T0.AddMinutes(2))]);

        await Api.EventuallyAsync(() => Task.FromResult(StatusOn(list, "after@example.com") == SimContactStatus.Unsubscribed
                && StatusOn(list, "before@example.com") == SimContactStatus.Unsubscribed),
            "both addresses unsubscribed",
            describe: () => Task.FromResult($"before: {StatusOn(list, "before@example.com")}, after: {StatusOn(list, "after@example.com")}"));
    }
}

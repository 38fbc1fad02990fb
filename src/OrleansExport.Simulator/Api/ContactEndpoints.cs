using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary><c>contact/sync</c> and <c>contactLists</c>: the synchronous contact API.</summary>
internal sealed class ContactEndpoints(SimulatorState state)
{
    private static readonly string[] UpdatedAfterFormats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd"];

    public async Task SyncAsync(HttpContext context)
    {
        var contact = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.ContactSyncRequest))?.Contact;
        if (contact is null)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"contact\":{...}}.");
            return;
        }

        if (!EmailRules.IsValid(contact.Email))
        {
            await context.WriteErrorAsync("Email address is not valid.", "email_invalid", "/data/attributes/email");
            return;
        }

        var (body, created) = state.SyncContact(contact);
        state.Stats.ContactSync();
        await context.WriteJsonAsync(
            created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
            new ContactEnvelope(body),
            SimulatorJson.Default.ContactEnvelope);
    }

    /// <summary>
    /// <c>GET /api/3/contacts</c>: every contact by id, paged (<c>limit</c> at most 100, <c>offset</c>, <c>meta.total</c>);
    /// <c>listid</c> keeps those on a list, <c>status</c> (-1 any, 0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced) those
    /// with that status there, <c>email</c> the one with that address (any case), <c>updated_after</c> (an ISO 8601 date-time)
    /// those whose contact or list statuses changed after it. <c>status</c> without <c>listid</c> is ignored.
    /// </summary>
    public Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        int status = -1;
        if (query["status"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out status) || status is < -1 or > 3))
        {
            return context.WriteMessageAsync(StatusCodes.Status400BadRequest, "status must be -1 (any), 0, 1, 2 or 3.");
        }

        DateTimeOffset? updatedAfter = null;
        if (query["updated_after"].ToString() is { Length: > 0 } since)
        {
            // Exact ISO 8601 only: an offset's "+" sent unescaped arrives as a space, and must not be read as another time.
            if (!DateTimeOffset.TryParseExact(since, UpdatedAfterFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return context.WriteMessageAsync(StatusCodes.Status400BadRequest, "updated_after must be an ISO 8601 date-time, such as 2026-12-01T08:00:00Z.");
            }

            updatedAfter = parsed;
        }

        string? listId = query["listid"].ToString() is { Length: > 0 } list ? list : null;
        var page = state.ListContacts(listId, status, query["email"], Paging.From(query), updatedAfter);
        return context.WriteJsonAsync(StatusCodes.Status200OK,
            new ContactsPage([], page.Items, new PageMeta(page.Total.ToString(CultureInfo.InvariantCulture))),
            SimulatorJson.Default.ContactsPage);
    }

    /// <summary><c>GET /api/3/contacts/{id}/contactLists</c>: the contact's status on every list it is on; 404 for an unknown contact.</summary>
    public Task GetContactListsAsync(HttpContext context)
    {
        string id = context.RouteValue("id") ?? "";
        return state.GetContactLists(ParseId(id)) is { } lists
            ? context.WriteJsonAsync(StatusCodes.Status200OK, new ContactListsEnvelope(lists), SimulatorJson.Default.ContactListsEnvelope)
            : context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Subscriber with id {id}");
    }

    /// <summary>
    /// <c>PUT /api/3/contacts/{id}</c> <c>{"contact":{"email",...}}</c>: changes the given members; 422 for a bad email or
    /// one another contact has already, 404 for an unknown contact.
    /// </summary>
    public async Task UpdateAsync(HttpContext context)
    {
        string id = context.RouteValue("id") ?? "";
        var contact = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.ContactSyncRequest))?.Contact;
        if (contact is null)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"contact\":{...}}.");
            return;
        }

        if (contact.Email is not null && !EmailRules.IsValid(contact.Email))
        {
            await context.WriteErrorAsync("Email address is not valid.", "email_invalid", "/data/attributes/email");
            return;
        }

        switch (state.UpdateContact(ParseId(id), contact))
        {
            case (ContactUpdateOutcome.UnknownContact, _):
                await context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Subscriber with id {id}");
                return;
            case (ContactUpdateOutcome.EmailTaken, _):
                await context.WriteErrorAsync("Email address already exists in the system.", "duplicate", "/data/attributes/email");
                return;
            case (_, var updated):
                await context.WriteJsonAsync(StatusCodes.Status200OK, new ContactEnvelope(updated!), SimulatorJson.Default.ContactEnvelope);
                return;
        }
    }

    /// <summary><c>DELETE /api/3/contacts/{id}</c>: 200 with <c>{}</c>, or 404 "No Result found" for an unknown (or deleted) id.</summary>
    public Task DeleteAsync(HttpContext context)
    {
        string id = context.RouteValue("id") ?? "";
        if (!state.DeleteContact(ParseId(id)))
        {
            return context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Subscriber with id {id}");
        }

        state.Stats.ContactDelete();
        return context.WriteJsonAsync(StatusCodes.Status200OK, new EmptyBody(), SimulatorJson.Default.EmptyBody);
    }

    /// <remarks>
    /// An unknown list or contact answers 404 with ActiveCampaign's "No Result found" message (the docs do not
    /// specify it). 201 when the contact had no status on the list before, 200 when an existing status changed.
    /// </remarks>
    public async Task SetListStatusAsync(HttpContext context)
    {
        var body = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.ContactListRequest))?.ContactList;
        if (body is null)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"contactList\":{...}}.");
            return;
        }

        if (body.Status is not (SimulatorState.Subscribed or SimulatorState.Unsubscribed))
        {
            await context.WriteErrorAsync("Status must be 1 (active) or 2 (unsubscribed).", "field_invalid", "/data/attributes/status");
            return;
        }

        if (string.IsNullOrEmpty(body.List))
        {
            await context.WriteErrorAsync("List is required.", "field_missing", "/data/attributes/list");
            return;
        }

        int contactId = int.TryParse(body.Contact, NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : 0;
        var outcome = state.SetListStatus(body.List, contactId, (byte)body.Status.Value);
        switch (outcome)
        {
            case ContactListOutcome.UnknownList:
                await context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for List with id {body.List}");
                return;
            case ContactListOutcome.UnknownContact:
                await context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Subscriber with id {body.Contact}");
                return;
        }

        state.Stats.ContactListUpdate();
        await context.WriteJsonAsync(
            outcome == ContactListOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
            new ContactListEnvelope(new ContactListResult(contactId.ToString(CultureInfo.InvariantCulture), body.List, body.Status.Value)),
            SimulatorJson.Default.ContactListEnvelope);
    }

    /// <remarks>
    /// An unknown contact or tag answers 404 with ActiveCampaign's "No Result found" message. 201 when the tag is new on
    /// the contact, 200 when it had it already (the docs do not say; attaching twice changes nothing either way).
    /// </remarks>
    public async Task TagContactAsync(HttpContext context)
    {
        var body = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.ContactTagRequest))?.ContactTag;
        if (body is null)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"contactTag\":{\"contact\":\"<id>\",\"tag\":\"<id>\"}}.");
            return;
        }

        int contactId = int.TryParse(body.Contact, NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : 0;
        switch (state.TagContact(contactId, body.Tag ?? ""))
        {
            case ContactTagOutcome.UnknownContact:
                await context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Subscriber with id {body.Contact}");
                return;
            case ContactTagOutcome.UnknownTag:
                await context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Tag with id {body.Tag}");
                return;
            case var outcome:
                await context.WriteJsonAsync(
                    outcome == ContactTagOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
                    new ContactTagEnvelope(new ContactTagBody(contactId.ToString(CultureInfo.InvariantCulture), body.Tag!)),
                    SimulatorJson.Default.ContactTagEnvelope);
                return;
        }
    }

    private static int ParseId(string id) => int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) ? parsed : 0;
}

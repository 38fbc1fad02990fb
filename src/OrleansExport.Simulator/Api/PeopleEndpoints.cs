namespace OrleansExport.Simulator;

/// <summary>
/// <c>/_sim/people/{email}</c>: what the people of the account do outside the API, for tests and demos. No key, no rate
/// limit, like the other <c>/_sim</c> routes; each answers 204, or 404 for an unknown contact or list.
/// </summary>
internal sealed class PeopleEndpoints(SimulatorState state)
{
    /// <summary>
    /// <c>POST .../unsubscribe?list=&amp;by=link|user&amp;campaign=&amp;reason=</c>: through a campaign's link (the default; source
    /// <c>public</c>, the campaign recorded) or by a user in the app (source <c>admin</c>).
    /// </summary>
    public Task UnsubscribeAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string by = query["by"].ToString() is { Length: > 0 } given ? given : "link";
        if (by is not ("link" or "user") || !TryList(context, out string listId))
        {
            return context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected ?list=<list id>&by=link|user (and optionally &campaign=<id>&reason=<text>).");
        }

        string? campaign = query["campaign"].ToString() is { Length: > 0 } id ? id : null;
        string? reason = query["reason"].ToString() is { Length: > 0 } text ? text : null;
        return AnswerAsync(context, state.Unsubscribe(Email(context), listId, by == "user", campaign, reason));
    }

    /// <summary><c>POST .../bounce?list=</c>: a hard bounce (source <c>system</c>), on every list the contact is on without <c>list</c>.</summary>
    public Task BounceAsync(HttpContext context) =>
        AnswerAsync(context, state.Bounce(Email(context), TryList(context, out string listId) ? listId : null));

    /// <summary><c>POST .../resubscribe?list=&amp;confirmed=true|false</c>: the person subscribes again through a form (source <c>public</c>).</summary>
    public Task ResubscribeAsync(HttpContext context)
    {
        if (!TryList(context, out string listId))
        {
            return context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected ?list=<list id> (and optionally &confirmed=false).");
        }

        bool confirmed = !string.Equals(context.Request.Query["confirmed"], "false", StringComparison.OrdinalIgnoreCase);
        return AnswerAsync(context, state.Resubscribe(Email(context), listId, confirmed));
    }

    /// <summary><c>DELETE /_sim/people/{email}</c>: a user deletes the contact in the app.</summary>
    public Task DeleteAsync(HttpContext context) => AnswerAsync(context, state.DeleteInApp(Email(context)));

    /// <summary><c>PUT .../email</c> <c>{"email":"new@example.com"}</c>: a user changes the contact's address in the app (409 when taken).</summary>
    public async Task ChangeEmailAsync(HttpContext context)
    {
        string? newEmail = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.EmailChangeRequest))?.Email;
        if (string.IsNullOrWhiteSpace(newEmail))
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"email\":\"<new address>\"}.");
            return;
        }

        await AnswerAsync(context, state.ChangeEmailInApp(Email(context), newEmail));
    }

    private static Task AnswerAsync(HttpContext context, PersonActionOutcome outcome)
    {
        switch (outcome)
        {
            case PersonActionOutcome.Done:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            case PersonActionOutcome.UnknownList:
                return context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No list with id {context.Request.Query["list"]}.");
            case PersonActionOutcome.EmailTaken:
                return context.WriteMessageAsync(StatusCodes.Status409Conflict, "Another contact has that email already.");
            case PersonActionOutcome.InvalidEmail:
                return context.WriteMessageAsync(StatusCodes.Status400BadRequest, "The new email is not valid.");
            default:
                return context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No contact with email {Email(context)}.");
        }
    }

    private static string Email(HttpContext context) => context.RouteValue("email") ?? "";

    private static bool TryList(HttpContext context, out string listId)
    {
        listId = context.Request.Query["list"].ToString();
        return listId.Length > 0;
    }
}

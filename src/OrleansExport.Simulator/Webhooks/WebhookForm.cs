using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary>
/// The <c>application/x-www-form-urlencoded</c> body ActiveCampaign posts to a webhook: <c>type</c>, <c>date_time</c>,
/// <c>initiated_from</c>, <c>initiated_by</c>, <c>list</c>, <c>contact[...]</c>, and for an unsubscribe <c>campaign[id]</c>
/// and <c>unsubscribe[reason]</c>.
/// </summary>
internal static class WebhookForm
{
    public static IReadOnlyList<KeyValuePair<string, string>> Build(
        string type, string source, string listId, ContactRecord contact, UnsubscribeDetail? detail, DateTimeOffset at)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("type", type),
            new("date_time", at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)),
            new("initiated_from", source),
            new("initiated_by", source),
            new("list", listId),
            new("contact[id]", contact.Id.ToString(CultureInfo.InvariantCulture)),
            new("contact[email]", contact.Email),
            new("contact[first_name]", contact.FirstName ?? ""),
            new("contact[last_name]", contact.LastName ?? ""),
            new("contact[phone]", contact.Phone ?? ""),
        };
        if (detail?.Campaign is { } campaign)
        {
            form.Add(new("campaign[id]", campaign));
        }

        if (detail?.Reason is { } reason)
        {
            form.Add(new("unsubscribe[reason]", reason));
        }

        return form;
    }
}

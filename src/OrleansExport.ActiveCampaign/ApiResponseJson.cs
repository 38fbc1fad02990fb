using System.Globalization;
using System.Text.Json;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Lenient readers of ActiveCampaign answers: ids and counts come as numbers or strings, and a
/// missing or malformed member reads as absent rather than throwing.
/// </summary>
internal static class ApiResponseJson
{
    /// <summary>The body as JSON, or null when it is not JSON. Reads bytes, not the stream: a buffered body can be read again.</summary>
    public static async Task<JsonElement?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static BulkImportResult.Queued? ReadQueued(JsonElement? root)
    {
        var batchId = Text(Member(root, "batchId"));
        return batchId is null ? null : new BulkImportResult.Queued(batchId, Integer(Member(root, "queued_contacts")) ?? 0);
    }

    /// <summary>The failure reasons that name a contact by its index: <c>{"contact": 3, "failureReason": "..."}</c>.</summary>
    public static IReadOnlyList<ContactFailure> ReadContactFailures(JsonElement? root) =>
        Member(root, "failureReasons") is { ValueKind: JsonValueKind.Array } reasons
            ? reasons.EnumerateArray()
                .Select(reason => (Index: Integer(Member(reason, "contact")), Reason: Text(Member(reason, "failureReason"))))
                .Where(failure => failure.Index is not null)
                .Select(failure => new ContactFailure(failure.Index!.Value, failure.Reason ?? "rejected by ActiveCampaign"))
                .ToArray()
            : [];

    /// <summary>
    /// The message and the failure reasons that are plain strings, as one line: what a 400 that names no contact says.
    /// </summary>
    public static string ReadBulkImportRefusal(JsonElement? root)
    {
        var reasons = Member(root, "failureReasons") is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(reason => Text(reason)).OfType<string>()
            : [];
        var text = string.Join(" ", new[] { ReadMessage(root) }.Concat(reasons).Where(part => !string.IsNullOrWhiteSpace(part)));
        return text.Length > 0 ? text : "no reason given";
    }

    /// <summary>
    /// The bulk-import reference's answer to its per-minute limit: 400 <c>"Rate limit exceeded."</c>, failure reasons as
    /// plain strings such as "Up to 100 imports may be requested per minute".
    /// </summary>
    public static bool IsRateLimitAnswer(JsonElement? root)
    {
        var text = ReadBulkImportRefusal(root);
        return text.Contains("rate limit", StringComparison.OrdinalIgnoreCase)
            || text.Contains("per minute", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The items of one page of a paged collection (<c>lists</c>, <c>fields</c>, <c>tags</c>) and <c>meta.total</c>.</summary>
    public static (IReadOnlyList<T>? Items, int? Total) ReadPage<T>(JsonElement? root, string collection, Func<JsonElement, T?> item) where T : class =>
        Member(root, collection) is { ValueKind: JsonValueKind.Array } items
            ? (items.EnumerateArray().Select(item).OfType<T>().ToArray(), Integer(Member(Member(root, "meta"), "total")))
            : (null, null);

    public static AccountList? ReadList(JsonElement item) =>
        Text(Member(item, "id")) is { } id ? new AccountList(id, Text(Member(item, "name")) ?? "") : null;

    public static AccountField? ReadField(JsonElement item) =>
        Text(Member(item, "id")) is { } id ? new AccountField(id, Text(Member(item, "title")) ?? "", Text(Member(item, "type")) ?? "") : null;

    public static AccountTag? ReadTag(JsonElement item) =>
        Text(Member(item, "id")) is { } id ? new AccountTag(id, Text(Member(item, "tag")) ?? "") : null;

    public static AccountWebhook? ReadWebhook(JsonElement item) =>
        Text(Member(item, "id")) is { } id && Text(Member(item, "url")) is { } url ? new AccountWebhook(id, url) : null;

    public static string? ReadCreatedTagId(JsonElement? root) => Text(Member(Member(root, "tag"), "id"));

    /// <summary>Whether an answer says that what was to be created exists already ("Duplicate entry ... for key 'typetag'").</summary>
    public static bool IsDuplicateEntry(JsonElement? root) =>
        ReadErrors(root) is { } errors && errors.Contains("Duplicate entry", StringComparison.OrdinalIgnoreCase);

    public static ImportInfo ReadImportInfo(JsonElement? root) => new(
        Text(Member(root, "status")) ?? "unknown",
        Items(Member(root, "success"), "id"),
        Items(Member(root, "failure"), "email"));

    public static string? ReadContactId(JsonElement? root) => Text(Member(Member(root, "contact"), "id"));

    /// <summary>
    /// The contacts of a <c>GET /api/3/contacts</c> page with <c>meta.total</c> (without it, when <paramref name="needTotal"/>
    /// is false, the number of contacts); null when the answer is not of that shape (no <c>contacts</c> array, no total
    /// when needed, a contact without id or email): a reader must not take a broken page for a list without those contacts.
    /// </summary>
    public static (IReadOnlyList<ListedContact> Contacts, int Total)? ReadListedContacts(JsonElement? root, bool needTotal = true)
    {
        if (Member(root, "contacts") is not { ValueKind: JsonValueKind.Array } items)
        {
            return null;
        }

        var total = Integer(Member(Member(root, "meta"), "total"));
        if (total is null && needTotal)
        {
            return null;
        }

        var contacts = new List<ListedContact>(items.GetArrayLength());
        foreach (var item in items.EnumerateArray())
        {
            if (Text(Member(item, "id")) is not { Length: > 0 } id || Text(Member(item, "email")) is not { Length: > 0 } email)
            {
                return null;
            }

            contacts.Add(new ListedContact(id, email));
        }

        return (contacts, total ?? contacts.Count);
    }

    /// <summary>
    /// The status on <paramref name="listId"/> in a <c>contactLists</c> answer; null when the answer is not of the documented
    /// shape (no <c>contactLists</c> array, or that list's status missing or not 0-3).
    /// </summary>
    public static ListStatusLookup? ReadListStatus(JsonElement? root, string listId)
    {
        if (Member(root, "contactLists") is not { ValueKind: JsonValueKind.Array } items)
        {
            return null;
        }

        foreach (var item in items.EnumerateArray())
        {
            if (Text(Member(item, "list")) != listId)
            {
                continue;
            }

            if (Integer(Member(item, "status")) is not { } status || status is < 0 or > 3)
            {
                return null;
            }

            var sourceId = Text(Member(item, "sourceid"));
            var campaign = Text(Member(item, "campaign")) is { Length: > 0 } id && id != "0" ? id : null;
            return new ListStatusLookup.OnList((ContactListStatus)status, sourceId == "0", sourceId, campaign);
        }

        return new ListStatusLookup.NotOnList();
    }

    public static string? ReadWebhookId(JsonElement? root) => Text(Member(Member(root, "webhook"), "id"));

    /// <summary>The titles of a 422's <c>errors</c> array (or its message), as one line.</summary>
    public static string? ReadErrors(JsonElement? root)
    {
        if (Member(root, "errors") is { ValueKind: JsonValueKind.Array } errors)
        {
            var titles = errors.EnumerateArray()
                .Select(error => Text(Member(error, "title")) ?? Text(Member(error, "detail")) ?? Text(error))
                .OfType<string>()
                .ToArray();
            if (titles.Length > 0)
            {
                return string.Join("; ", titles);
            }
        }

        return ReadMessage(root);
    }

    public static string? ReadMessage(JsonElement? root) => Text(Member(root, "message"));

    private static JsonElement? Member(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var member) ? member : null;

    private static string? Text(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { ValueKind: JsonValueKind.Number } value => value.GetRawText(),
        _ => null,
    };

    private static int? Integer(JsonElement? element) =>
        int.TryParse(Text(element), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    // Items are plain values, or objects carrying the value under objectMember.
    private static IReadOnlyList<string> Items(JsonElement? array, string objectMember) =>
        array is { ValueKind: JsonValueKind.Array } items
            ? items.EnumerateArray().Select(item => Text(item) ?? Text(Member(item, objectMember))).OfType<string>().ToArray()
            : [];
}

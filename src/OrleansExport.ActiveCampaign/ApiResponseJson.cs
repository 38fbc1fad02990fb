using System.Globalization;
using System.Text.Json;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Lenient readers of ActiveCampaign answers: ids and counts come as numbers or strings, and a
/// missing or malformed member reads as absent rather than throwing.
/// </summary>
internal static class ApiResponseJson
{
    public static async Task<JsonElement?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
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

    public static IReadOnlyList<ContactFailure>? ReadFailureReasons(JsonElement? root)
    {
        if (Member(root, "failureReasons") is not { ValueKind: JsonValueKind.Array } reasons)
        {
            return null;
        }

        return reasons.EnumerateArray()
            .Select(reason => new ContactFailure(
                Integer(Member(reason, "contact")) ?? -1,
                Text(Member(reason, "failureReason")) ?? "rejected by ActiveCampaign"))
            .ToArray();
    }

    public static ImportInfo ReadImportInfo(JsonElement? root) => new(
        Text(Member(root, "status")) ?? "unknown",
        Items(Member(root, "success"), "id"),
        Items(Member(root, "failure"), "email"));

    public static string? ReadContactId(JsonElement? root) => Text(Member(Member(root, "contact"), "id"));

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

using System.Globalization;
using System.Text;

namespace OrleansExport.ActiveCampaign;

/// <summary>The ActiveCampaign webhook events OrleansExport acts on.</summary>
public enum WebhookEventType
{
    Subscribe,
    Unsubscribe,
    Bounce,
}

/// <summary>Who set off a webhook (<c>initiated_from</c>).</summary>
public enum WebhookSource
{
    /// <summary>Missing or a value ActiveCampaign does not document.</summary>
    Unknown,

    /// <summary>The contact, through a link or a form.</summary>
    Public,

    /// <summary>A user of the account, in the app.</summary>
    Admin,

    /// <summary>An API call (OrleansExport's, or another integration's).</summary>
    Api,

    /// <summary>ActiveCampaign itself, such as a hard bounce.</summary>
    System,
}

/// <summary>A webhook delivery from ActiveCampaign, checked and reduced to what OrleansExport needs.</summary>
/// <param name="Type">What happened.</param>
/// <param name="ListId">The list it happened on.</param>
/// <param name="ContactId">The contact's id in the account.</param>
/// <param name="Email">The contact's email.</param>
/// <param name="InitiatedFrom">Who did it.</param>
/// <param name="OccurredAt">When, if <c>date_time</c> could be read (a time without an offset is taken as UTC).</param>
/// <param name="CampaignId">The campaign whose unsubscribe link was used, if any.</param>
public sealed record ActiveCampaignWebhookEvent(
    WebhookEventType Type, string ListId, string ContactId, string Email, WebhookSource InitiatedFrom, DateTimeOffset? OccurredAt, string? CampaignId);

/// <summary>Outcome of <see cref="ActiveCampaignWebhookForm.Parse"/>.</summary>
public abstract record WebhookFormResult
{
    /// <summary>A well-formed event of a type OrleansExport acts on.</summary>
    public sealed record Accepted(ActiveCampaignWebhookEvent Event) : WebhookFormResult;

    /// <summary>Well-formed, but of a type OrleansExport does not act on (<c>open</c>, <c>update</c>, ...): nothing to do.</summary>
    public sealed record Ignored(string Type) : WebhookFormResult;

    /// <summary>Not a webhook body OrleansExport can trust: too large, not form-encoded UTF-8, a member missing, repeated or malformed.</summary>
    public sealed record Invalid(string Reason) : WebhookFormResult;
}

/// <summary>
/// Reads the <c>application/x-www-form-urlencoded</c> body ActiveCampaign posts to a webhook (<c>type</c>, <c>list</c>,
/// <c>contact[id]</c>, <c>contact[email]</c>, <c>initiated_from</c>, <c>date_time</c>, <c>campaign[id]</c>, and members it
/// does not need). The body comes from anyone who knows the URL, so it is treated as hostile: bounded in bytes and in
/// members, only the members above are kept, each bounded and checked, and one given twice makes the body invalid.
/// </summary>
public static class ActiveCampaignWebhookForm
{
    /// <summary>Largest body read. A real delivery (a contact with its fields) is a few kilobytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Most members a body may carry.</summary>
    public const int MaxMembers = 500;

    private const int MaxIdLength = 20;

    private static readonly string[] KeptMembers = ["type", "list", "contact[id]", "contact[email]", "initiated_from", "date_time", "campaign[id]"];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads at most <see cref="MaxBodyBytes"/> (plus one, to tell an oversized body) from <paramref name="body"/> and parses it.</summary>
    public static async Task<WebhookFormResult> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return Parse(buffer.AsSpan(0, length));
    }

    /// <summary>Parses one webhook body.</summary>
    public static WebhookFormResult Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBodyBytes)
        {
            return new WebhookFormResult.Invalid($"The body is over {MaxBodyBytes} bytes.");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return new WebhookFormResult.Invalid("The body is not UTF-8.");
        }

        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            if (++count > MaxMembers)
            {
                return new WebhookFormResult.Invalid($"The body has more than {MaxMembers} members.");
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            if (Array.IndexOf(KeptMembers, name) < 0)
            {
                continue;
            }

            if (!members.TryAdd(name, Decode(equals < 0 ? "" : pair[(equals + 1)..]).Trim()))
            {
                return new WebhookFormResult.Invalid($"The member {name} is given twice.");
            }
        }

        return Read(members);
    }

    private static WebhookFormResult Read(Dictionary<string, string> members)
    {
        if (!members.TryGetValue("type", out var typeName) || typeName.Length == 0)
        {
            return new WebhookFormResult.Invalid("The member type is missing.");
        }

        WebhookEventType type;
        switch (typeName)
        {
            case "subscribe":
                type = WebhookEventType.Subscribe;
                break;
            case "unsubscribe":
                type = WebhookEventType.Unsubscribe;
                break;
            case "bounce":
                type = WebhookEventType.Bounce;
                break;
            default:
                return new WebhookFormResult.Ignored(typeName.Length <= 40 && typeName.All(IsNameChar) ? typeName : "(unreadable)");
        }

        if (Id(members, "list") is not { } listId || listId == "0")
        {
            return new WebhookFormResult.Invalid("The member list is missing or not a list id.");
        }

        if (Id(members, "contact[id]") is not { } contactId)
        {
            return new WebhookFormResult.Invalid("The member contact[id] is missing or not a contact id.");
        }

        if (!members.TryGetValue("contact[email]", out var email) || !EmailRules.IsValid(email))
        {
            return new WebhookFormResult.Invalid("The member contact[email] is missing or not a valid email.");
        }

        var campaignId = Id(members, "campaign[id]") is { } campaign && campaign != "0" ? campaign : null;
        return new WebhookFormResult.Accepted(new ActiveCampaignWebhookEvent(
            type, listId, contactId, email, Source(members.GetValueOrDefault("initiated_from")), Time(members.GetValueOrDefault("date_time")), campaignId));
    }

    private static string? Id(Dictionary<string, string> members, string name) =>
        members.TryGetValue(name, out var value) && value.Length is > 0 and <= MaxIdLength && value.All(char.IsAsciiDigit) ? value : null;

    private static WebhookSource Source(string? value) => value switch
    {
        "public" => WebhookSource.Public,
        "admin" => WebhookSource.Admin,
        "api" => WebhookSource.Api,
        "system" => WebhookSource.System,
        _ => WebhookSource.Unknown,
    };

    private static DateTimeOffset? Time(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 40)
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ssZ", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"],
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    // Form encoding: '+' is a space, then %XX escapes. A malformed escape is kept as written.
    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

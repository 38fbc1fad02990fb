using System.Collections.Concurrent;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// The ids of the tags the contact API attaches, per account and tag name (names match without regard to case, as in
/// ActiveCampaign): a tag costs its look-up (and creation) requests once per silo, not once per contact. Concurrent
/// callers for the same tag share one look-up; a failed one is forgotten so the next caller tries again.
/// </summary>
public sealed class TagIdCache(IActiveCampaignClient client)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _ids = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The tag's id: found with <c>GET /api/3/tags?search=</c>, or created when the account has no tag of that name.</summary>
    public async Task<string> GetOrCreateAsync(ActiveCampaignAccount account, string tag, CancellationToken cancellationToken)
    {
        var key = Key(account, tag);
        var lookup = _ids.GetOrAdd(key, _ => new Lazy<Task<string>>(() => FindOrCreateAsync(account, tag)));
        try
        {
            return await lookup.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ids.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, lookup));
            throw;
        }
    }

    /// <summary>The account no longer knows the id (the tag was deleted there): look it up again next time.</summary>
    public void Forget(ActiveCampaignAccount account, string tag) => _ids.TryRemove(Key(account, tag), out _);

    private async Task<string> FindOrCreateAsync(ActiveCampaignAccount account, string tag)
    {
        if (await FindAsync(account, tag).ConfigureAwait(false) is { } id)
        {
            return id;
        }

        // Null: "Duplicate entry", someone created it since the look-up; it can be found now.
        return await client.CreateTagAsync(account, tag, CancellationToken.None).ConfigureAwait(false)
            ?? await FindAsync(account, tag).ConfigureAwait(false)
            ?? throw new ActiveCampaignException($"ActiveCampaign account {HostnameRules.Normalize(account.Hostname)} says tag '{tag}' exists but does not list it.");
    }

    // search is a contains-match ("vip" finds "VIP gold"): only an exact name (any case) is the tag.
    private async Task<string?> FindAsync(ActiveCampaignAccount account, string tag) =>
        (await client.GetTagsAsync(account, tag, CancellationToken.None).ConfigureAwait(false))
            .FirstOrDefault(candidate => string.Equals(candidate.Tag.Trim(), tag, StringComparison.OrdinalIgnoreCase))?.Id;

    private static string Key(ActiveCampaignAccount account, string tag) => HostnameRules.Normalize(account.Hostname) + "\n" + tag;
}

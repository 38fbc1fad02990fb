namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// Counts what a shard would send, by the action each contact needs, and keeps the first examples
/// (<see cref="SendPreview"/>). With <c>holding</c>, unsubscribes the guard may hold count as held, not as sent.
/// </summary>
public sealed class SendPreviewBuilder(bool holding)
{
    private long _subscribe, _update, _resubscribe, _unsubscribe, _delete, _held;
    private readonly List<PreviewExample> _examples = [];

    public bool WantsExample => _examples.Count < SendPreview.MaxExamples;

    /// <returns>The action's name as the API shows it (<c>held</c> for a held unsubscribe or delete).</returns>
    public string Count(ContactAction action, bool alreadySubscribed, bool holdable)
    {
        if (holding && holdable)
        {
            _held++;
            return "held";
        }

        switch (action)
        {
            case ContactAction.Upsert when alreadySubscribed: _update++; return "update";
            case ContactAction.Upsert: _subscribe++; return "subscribe";
            case ContactAction.Resubscribe: _resubscribe++; return "resubscribe";
            case ContactAction.Unsubscribe: _unsubscribe++; return "unsubscribe";
            default: _delete++; return "delete";
        }
    }

    public void AddExample(PreviewExample example)
    {
        if (WantsExample)
        {
            _examples.Add(example);
        }
    }

    public SendPreview Build() => new(_subscribe, _update, _resubscribe, _unsubscribe, _delete, _held, [.. _examples]);
}

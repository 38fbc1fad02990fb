using System.Text;

namespace OrleansExport.Grains.DeadLetters;

/// <summary>
/// How many dead letters the grain keeps: at most <see cref="IDeadLetterGrain.MaxKept"/>, and at most
/// <see cref="MaxKeptBytes"/> of text, so that hostile ids (256 characters of three UTF-8 bytes each) cannot make the
/// state too large for one stored row (Azure Table: about 1 MiB), which would fail every erasure that touches it.
/// </summary>
public static class DeadLetterBudget
{
    public const int MaxKeptBytes = 256 * 1024;

    /// <summary>Drops the oldest letters (the list is oldest first) until both bounds hold.</summary>
    public static void Trim(List<DeadLetter> recent, int maxCount = IDeadLetterGrain.MaxKept, int maxBytes = MaxKeptBytes)
    {
        var bytes = recent.Sum(Bytes);
        var drop = 0;
        while (drop < recent.Count && (recent.Count - drop > maxCount || bytes > maxBytes))
        {
            bytes -= Bytes(recent[drop]);
            drop++;
        }

        recent.RemoveRange(0, drop);
    }

    /// <summary>The letter's text in UTF-8 plus a little for its other fields: what it costs in stored state.</summary>
    public static int Bytes(DeadLetter letter) =>
        32 + Utf8(letter.Source) + Utf8(letter.EventId) + Utf8(letter.SegmentId) + Utf8(letter.ProfileId) + Utf8(letter.Reason);

    private static int Utf8(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);
}

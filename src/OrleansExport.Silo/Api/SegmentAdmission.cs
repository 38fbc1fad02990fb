using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansExport.Grains.Segments;

namespace OrleansExport.Silo.Api;

/// <summary>
/// Registers the segments that events and exports name, within <c>Ingest:MaxSegments</c>, before anything is
/// enqueued or saved. Segments are never removed, so an admitted id stays admitted and needs no call again.
/// </summary>
public sealed class SegmentAdmission(IGrainFactory grains, IOptions<SegmentIngestOptions> options)
{
    private readonly ConcurrentDictionary<string, byte> _admitted = new(StringComparer.Ordinal);

    public int MaxSegments => options.Value.MaxSegments;

    /// <summary>The ids among <paramref name="segmentIds"/> the full cluster refused.</summary>
    public async Task<IReadOnlySet<string>> AdmitAsync(IEnumerable<string> segmentIds)
    {
        var unknown = segmentIds.Where(id => !_admitted.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (unknown.Length == 0)
        {
            return new HashSet<string>();
        }

        var answers = await Task.WhenAll(unknown.Select(async id => (Id: id, Admitted: await SegmentIndex.AdmitAsync(grains, id, MaxSegments))));
        foreach (var (id, _) in answers.Where(a => a.Admitted))
        {
            _admitted.TryAdd(id, 0);
        }

        return answers.Where(a => !a.Admitted).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
    }

    public string Reason(string segmentId) =>
        $"segment '{segmentId}' would be one more than Ingest:MaxSegments ({MaxSegments}) segments the cluster holds; use an existing segment or ask an operator to raise the limit";
}

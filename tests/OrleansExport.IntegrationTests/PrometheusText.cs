using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansExport.IntegrationTests;

/// <summary>Reads samples out of a Prometheus text exposition (the answer of <c>GET /metrics</c>).</summary>
public sealed partial class PrometheusText(string text)
{
    public string Text => text;

    /// <summary>The value of the one sample of <paramref name="metric"/> carrying every label in <paramref name="labels"/>; null if none.</summary>
    public double? Value(string metric, params (string Name, string Value)[] labels)
    {
        var matches = Samples()
            .Where(s => s.Name == metric && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0].Value,
            _ => throw new InvalidOperationException($"{matches.Count} samples of {metric} match; name more labels."),
        };
    }

    public IEnumerable<string> MetricNames() => Samples().Select(s => s.Name).Distinct();

    private IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Samples()
    {
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            yield return (match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}

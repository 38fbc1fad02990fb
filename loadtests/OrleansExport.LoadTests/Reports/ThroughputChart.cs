using System.Globalization;
using System.Text;

namespace OrleansExport.LoadTests.Reports;

/// <summary>Throughput over time as inline SVG: events applied per second during ingest, and contacts imported per second against the ceiling during the first run.</summary>
public static class ThroughputChart
{
    private const int Width = 760;
    private const int Height = 220;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 24;
    private const int Bottom = 36;

    public static string Svg(LoadTestResult result)
    {
        var samples = result.Samples;
        var ceiling = result.BulkImportsPerMinuteAllowed * 250 * result.Setup.TimeScale / 60;
        var builder = new StringBuilder();
        builder.Append(Panel("Ingest: events applied to segment state per second", Rates(samples, s => s.EventsReceived), null, "#1f77b4"));
        builder.Append(Panel($"Export: contacts imported per second (time scale {result.Setup.TimeScale:G}; dashed: ActiveCampaign's ceiling)",
            Rates(samples, s => s.ContactsImported), ceiling, "#2ca02c"));
        return builder.ToString();
    }

    /// <summary>Per-interval rates, placed at the end of each interval.</summary>
    private static List<(double X, double Y)> Rates(IReadOnlyList<Sample> samples, Func<Sample, long> counter)
    {
        var points = new List<(double, double)>();
        for (var i = 1; i < samples.Count; i++)
        {
            var dt = samples[i].Seconds - samples[i - 1].Seconds;
            if (dt > 0)
            {
                points.Add((samples[i].Seconds, (counter(samples[i]) - counter(samples[i - 1])) / dt));
            }
        }

        return points;
    }

    private static string Panel(string title, List<(double X, double Y)> points, double? ceiling, string color)
    {
        var maxX = Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.X));
        var maxY = Math.Max(1, Math.Max(points.Count == 0 ? 0 : points.Max(p => p.Y), ceiling ?? 0) * 1.1);
        double X(double x) => Left + x / maxX * (Width - Left - Right);
        double Y(double y) => Height - Bottom - y / maxY * (Height - Top - Bottom);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"14\" font-size=\"13\">{Escape(title)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>");
        for (var i = 0; i <= 4; i++)
        {
            var y = maxY * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(y) + 4:F1}\" text-anchor=\"end\">{Short(y)}</text>");
            var x = maxX * i / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(x):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{x:F1} s</text>");
        }

        if (ceiling is { } c)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Y(c):F1}\" x2=\"{Width - Right}\" y2=\"{Y(c):F1}\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>");
        }

        if (points.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"");
            foreach (var (x, y) in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"{X(x):F1},{Y(y):F1} ");
            }

            svg.Append("\"/>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Short(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };

    internal static string Escape(string text) => System.Net.WebUtility.HtmlEncode(text);
}

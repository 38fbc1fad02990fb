using System.Diagnostics;
using OpenTelemetry;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// Keeps only scheme and host of <c>url.full</c> (and drops <c>url.path</c>, <c>url.query</c>) on every span
/// before export: the path of an alert webhook (a chat webhook's path is its password) never leaves in a trace.
/// </summary>
public sealed class UrlRedactingProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        if (data.GetTagItem("url.full") is string full)
        {
            data.SetTag("url.full", Uri.TryCreate(full, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}" : null);
        }

        if (data.GetTagItem("url.path") is not null)
        {
            data.SetTag("url.path", null);
        }

        if (data.GetTagItem("url.query") is not null)
        {
            data.SetTag("url.query", null);
        }
    }
}

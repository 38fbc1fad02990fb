using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansExport.TestSupport;

/// <summary>
/// Keeps every log line from <paramref name="minimum"/> on, with its exception text and structured state values
/// (sinks such as JSON or OpenTelemetry write those out, so the secrets tests search them too); with
/// <paramref name="keep"/>, only the newest lines.
/// </summary>
public sealed class CapturingLoggerProvider(LogLevel minimum = LogLevel.Trace, int? keep = null) : ILoggerProvider
{
    public LogLevel Minimum { get; } = minimum;

    public ConcurrentQueue<string> Queue { get; } = new();

    public IReadOnlyList<string> Lines => [.. Queue];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        Queue.Enqueue(line);
        while (Queue.Count > keep && Queue.TryDequeue(out _))
        {
        }
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(";", pairs.Select(pair => $"{pair.Key}={Flatten(pair.Value)}"))
                : "";
            provider.Add($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }

        // Structured sinks serialize collection values, so the capture must see inside them too.
        private static string? Flatten(object? value) =>
            value is string or null ? (string?)value : value is IEnumerable<string> items ? string.Join(",", items) : value.ToString();
    }
}

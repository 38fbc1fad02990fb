using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>Keeps every log line, with its exception text and structured state values, at every level.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(pair => $"{pair.Key}={Flatten(pair.Value)}"))
                : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }

        // Structured sinks serialize collection values, so the capture must see inside them too.
        private static string? Flatten(object? value) =>
            value is string or null ? (string?)value : value is IEnumerable<string> items ? string.Join(",", items) : value.ToString();
    }
}

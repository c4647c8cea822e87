using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>Keeps every log record of a host in memory, so a test can assert what an operator would see.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> records = new();

    public IReadOnlyList<LogRecord> Records => [.. records];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        // Nothing to release: the records stay readable after the host is gone.
    }

    public sealed record LogRecord(string Category, LogLevel Level, EventId EventId, string Message);

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.records.Enqueue(new LogRecord(category, logLevel, eventId, formatter(state, exception)));
    }
}

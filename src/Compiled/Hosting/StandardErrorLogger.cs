using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Compiled.Hosting;

/// <summary>
/// The log of a pipeline run from the command line: one line per entry on standard error, in the console logger's
/// single-line form (<c>HH:mm:ss.fff info: Compiled.WordCount[1] Pipeline WordCount starting: ...</c>, an exception on
/// the same line), written as it is logged. A program's own, and its own logger factory: the console logger's options,
/// configuration and dependency-injection set-up is code the JIT build compiles at every start (about 500 methods),
/// and <c>LoggerFactory</c>'s filters and provider lists another 80 or so (four more assemblies loaded), for a log of
/// a few lines per batch.
/// </summary>
internal sealed class StandardErrorLogger : ILoggerFactory
{
    private readonly TextWriter _error;
    private readonly LogLevel _minimum;
    private readonly object _gate = new(); // one entry written at a time

    /// <summary>Logs the entries at <paramref name="minimum"/> or above to <paramref name="error"/>.</summary>
    public StandardErrorLogger(TextWriter error, LogLevel minimum)
    {
        _error = error;
        _minimum = minimum;
    }

    /// <summary>A logger factory whose loggers write here, and no entry below <paramref name="minimum"/>.</summary>
    public static ILoggerFactory CreateFactory(TextWriter error, LogLevel minimum) => new StandardErrorLogger(error, minimum);

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Not supported: the command line's log has this one destination.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException(
            "The command line's log writes to standard error alone; to log elsewhere, set PipelineRunOptions.LoggerFactory to a factory of your own, or run the pipeline with PipelineRun.");

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    // The console logger's four-letter names of the levels.
    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private sealed class Logger(StandardErrorLogger owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = new StringBuilder(160)
                .Append(DateTime.Now.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture))
                .Append(LevelName(logLevel)).Append(": ")
                .Append(category).Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ")
                .Append(formatter(state, exception).ReplaceLineEndings(" "));
            if (exception is not null)
            {
                line.Append(' ').Append(exception.ToString().ReplaceLineEndings(" "));
            }

            // One write per entry: entries from several threads (partitions, the clock) do not interleave.
            lock (owner._gate)
            {
                owner._error.WriteLine(line.ToString());
            }
        }
    }
}

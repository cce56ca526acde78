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

    // The time of day as HH:mm:ss.fff and a space, written digit by digit: what DateTime.ToString writes in the invariant
    // culture, without loading the culture's formatting data at start-up for the first entry.
    private static void AppendTime(StringBuilder line, DateTime time)
    {
        Two(line, time.Hour).Append(':');
        Two(line, time.Minute).Append(':');
        Two(line, time.Second).Append('.');
        int milliseconds = time.Millisecond;
        line.Append((char)('0' + (milliseconds / 100))).Append((char)('0' + (milliseconds / 10 % 10))).Append((char)('0' + (milliseconds % 10))).Append(' ');

        static StringBuilder Two(StringBuilder line, int value) => line.Append((char)('0' + (value / 10))).Append((char)('0' + (value % 10)));
    }

    // The text with each line end (\r\n, \r, \n, form feed, NEL, LS, PS) written as one space, as ReplaceLineEndings(" ")
    // does, so that an entry is one line; without the searcher ReplaceLineEndings sets up (and the JIT compiles) at start-up.
    private static void AppendOnOneLine(StringBuilder line, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '\r' or '\n' or '\f' or '\u0085' or '\u2028' or '\u2029')
            {
                line.Append(' ');
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
            }
            else
            {
                line.Append(c);
            }
        }
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

            var line = new StringBuilder(160);
            AppendTime(line, DateTime.Now);
            line.Append(LevelName(logLevel)).Append(": ")
                .Append(category).Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
            AppendOnOneLine(line, formatter(state, exception));
            if (exception is not null)
            {
                line.Append(' ');
                AppendOnOneLine(line, exception.ToString());
            }

            // One write per entry: entries from several threads (partitions, the clock) do not interleave.
            lock (owner._gate)
            {
                owner._error.WriteLine(line.ToString());
            }
        }
    }
}

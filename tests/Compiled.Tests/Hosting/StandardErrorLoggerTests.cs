using System.Text.RegularExpressions;
using Compiled.Hosting;
using Microsoft.Extensions.Logging;

namespace Compiled.Tests.Hosting;

/// <summary>The command line's log: one line per entry, in the console logger's single-line form, nothing below its level.</summary>
public partial class StandardErrorLoggerTests
{
    [Fact]
    public void AnEntry_IsOneLine_WithItsTime_Level_Category_AndEventId()
    {
        var error = new StringWriter();
        using ILoggerFactory loggers = StandardErrorLogger.CreateFactory(error, LogLevel.Information);
        ILogger log = loggers.CreateLogger("Compiled.WordCount");
        log.LogInformation(new EventId(7, "Ended"), "Pipeline {Name} stopped after {Batches} batches", "WordCount", 3);
        log.LogWarning(new EventId(12), "a message\nover two lines");
        log.LogError(new EventId(3), new InvalidOperationException("broken\nfor good"), "The sink failed");
        log.LogDebug(new EventId(4), "not written below the level");

        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(Entry(), lines[0]);
        Assert.EndsWith(" info: Compiled.WordCount[7] Pipeline WordCount stopped after 3 batches", lines[0]);
        Assert.EndsWith(" warn: Compiled.WordCount[12] a message over two lines", lines[1]);
        Assert.Contains(" fail: Compiled.WordCount[3] The sink failed System.InvalidOperationException: broken for good", lines[2]);
    }

    [Fact]
    public void EveryKindOfLineEnd_IsOneSpace_AndTheTimeIsTheClocks()
    {
        var error = new StringWriter();
        using ILoggerFactory loggers = StandardErrorLogger.CreateFactory(error, LogLevel.Information);
        DateTime before = DateTime.Now;
        loggers.CreateLogger("Compiled.Q1").LogWarning(new EventId(5), "a\r\nb\rc\nd\fe\u0085f\u2028g\u2029h\n\ni");
        DateTime after = DateTime.Now;

        string line = error.ToString().TrimEnd('\r', '\n');
        Assert.EndsWith(" warn: Compiled.Q1[5] a b c d e f g h  i", line);
        // The time of day as the invariant culture writes it, between the clock's readings around the entry (within a day).
        TimeSpan written = TimeSpan.ParseExact(line[..12], @"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(written, before.TimeOfDay - TimeSpan.FromMilliseconds(1), after.TimeOfDay < before.TimeOfDay ? TimeSpan.FromDays(1) : after.TimeOfDay);
    }

    [Fact]
    public void TheLevelNone_WritesNothing()
    {
        var error = new StringWriter();
        using ILoggerFactory loggers = StandardErrorLogger.CreateFactory(error, LogLevel.None);
        loggers.CreateLogger("Compiled.WordCount").LogCritical(new EventId(1), "not even this");
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void TheFactory_RefusesAnotherProvider_AndSaysWhatToDoInstead()
    {
        using ILoggerFactory loggers = StandardErrorLogger.CreateFactory(new StringWriter(), LogLevel.Information);
        var refused = Assert.Throws<NotSupportedException>(() => loggers.AddProvider(new StandardErrorLoggerTestsProvider()));
        Assert.Contains("PipelineRunOptions.LoggerFactory", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntriesFromSeveralThreads_AreWholeLines()
    {
        var error = new StringWriter();
        using ILoggerFactory loggers = StandardErrorLogger.CreateFactory(error, LogLevel.Information);
        ILogger first = loggers.CreateLogger("Compiled.A");
        ILogger second = loggers.CreateLogger("Compiled.B");
        Parallel.For(0, 400, i => (i % 2 == 0 ? first : second).LogInformation(new EventId(i), "entry {Number} of four hundred", i));

        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(400, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d\d\d info: Compiled\.(A|B)\[\d+\] entry \d+ of four hundred$", line));
    }

    private sealed class StandardErrorLoggerTestsProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => throw new InvalidOperationException("not reached");

        public void Dispose()
        {
        }
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d\d\d (info|warn|fail): ")]
    private static partial Regex Entry();
}

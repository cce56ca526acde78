using System.Diagnostics;
using System.Text;
using Compiled.Hosting;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// One process of a job that reads a topic in a consumer group: the test executable started again as a child process
/// by <see cref="KafkaSourceGroupTests"/>, running only <see cref="RunsTheRecordsJob_UntilItsStopFileAppears"/>, an
/// explicit test (never run with the others) that runs <see cref="KafkaRecordsPipeline"/> from the source and into the
/// output the environment names (with a checkpoint, if it names one), logs to a file, and stops as Ctrl+C would once
/// its stop file appears.
/// </summary>
public sealed class KafkaGroupMember
{
    private const string SourceVariable = "COMPILED_KAFKA_MEMBER_SOURCE";
    private const string OutputVariable = "COMPILED_KAFKA_MEMBER_OUTPUT";
    private const string StopVariable = "COMPILED_KAFKA_MEMBER_STOP";
    private const string LogVariable = "COMPILED_KAFKA_MEMBER_LOG";
    private const string CheckpointVariable = "COMPILED_KAFKA_MEMBER_CHECKPOINT";

    /// <summary>
    /// Starts the test executable as a member process with these settings (and a checkpoint directory, when
    /// <paramref name="checkpoint"/> is given); its standard output and error go to <paramref name="log"/>.console.
    /// </summary>
    internal static Process Start(string source, string output, string stopFile, string log, string? checkpoint = null)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Compiled.Kafka.Tests"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (string argument in (string[])["-method", $"{typeof(KafkaGroupMember).FullName}.{nameof(RunsTheRecordsJob_UntilItsStopFileAppears)}", "-explicit", "only", "-noLogo", "-noColor"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[SourceVariable] = source;
        start.Environment[OutputVariable] = output;
        start.Environment[StopVariable] = stopFile;
        start.Environment[LogVariable] = log;
        start.Environment[CheckpointVariable] = checkpoint ?? "";
        Process process = Process.Start(start) ?? throw new InvalidOperationException("The test executable did not start as a group member.");
        var console = new StreamWriter(log + ".console", append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => Write(console, line.Data);
        process.ErrorDataReceived += (_, line) => Write(console, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact(Explicit = true)]
    public async Task RunsTheRecordsJob_UntilItsStopFileAppears()
    {
        string source = Setting(SourceVariable);
        string output = Setting(OutputVariable);
        string stopFile = Setting(StopVariable);
        string? checkpoint = Environment.GetEnvironmentVariable(CheckpointVariable) is { Length: > 0 } directory ? directory : null;
        using var log = new FileLog(Setting(LogVariable));
        using var stop = new CancellationTokenSource();
        await using PipelineRun run = KafkaSourceTest.Run(source, output, checkpoint, log);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        while (!File.Exists(stopFile) && !running.IsCompleted)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await KafkaSourceTest.StopAsync(run, running, stop);
    }

    private static string Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: this explicit test is one process of a job that KafkaSourceGroupTests starts as a child process; run those tests instead.");

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (writer)
        {
            writer.WriteLine(line);
        }
    }

    // Every message logged, one line each, written at once so that the test can read it while the process runs.
    private sealed class FileLog(string path) : ILoggerFactory, ILogger
    {
        private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8) { AutoFlush = true };

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Write(_writer, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
        }

        public void Dispose() => _writer.Dispose();
    }
}

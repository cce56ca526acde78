using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Compiled.Hosting;
using Compiled.Tests.Shared.Servers;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Compiled.PostgreSQL.Tests.ChangeDataCapture;

/// <summary>
/// The changes of a PostgreSQL publication, each written as it came to a file of its batch. Its Default source URI
/// compiles only because this project references Compiled.PostgreSQL, whose assembly declares the <c>postgres</c> source
/// scheme; the tests bind the server's URI and a directory.
/// </summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class CapturedChanges
{
    /// <summary>Every insert, update, delete and truncate of the publication's tables, one JSON object each.</summary>
    [Source(Default = "postgres://postgres@localhost:5432/shop?publication=shop&slot=shop")]
    public static partial Lines Changes();

    /// <summary>The changes, unchanged: one line each, one file per batch.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> change);
}

/// <summary>What the change data capture tests share: URIs, SQL, runs, and reading what the pipeline wrote.</summary>
internal static class ChangeCaptureTestKit
{
    /// <summary>
    /// A <c>postgres</c> source URI for <paramref name="database"/> on <paramref name="server"/>: publication <c>shop</c>
    /// and a slot named as the database (slots are the whole server's), then <paramref name="options"/>.
    /// </summary>
    public static string SourceUri(PostgresServer server, string database, string options = "") =>
        $"postgres://postgres@127.0.0.1:{server.Port}/{database}?publication=shop&slot={database}{(options.Length > 0 ? "&" + options : "")}";

    /// <summary>Drops slot <paramref name="slot"/> once no connection streams from it, so the server's few slots do not run out.</summary>
    public static async Task DropSlotAsync(string connectionString, string slot)
    {
        await WaitUntilAsync(async () => await ScalarAsync(connectionString, $"SELECT active FROM pg_replication_slots WHERE slot_name = '{slot}'") is not true, "the slot released");
        await ExecuteAsync(connectionString, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{slot}'");
    }

    /// <summary>Options for a run of <see cref="CapturedChanges"/> from <paramref name="source"/> into files under <paramref name="output"/>.</summary>
    public static PipelineRunOptions Options(string source, string output, string? checkpoint, ILoggerFactory? log = null)
    {
        var options = new PipelineRunOptions { Checkpoint = checkpoint };
        if (log is not null)
        {
            options.LoggerFactory = log;
        }

        options.SourceUris["Changes"] = source;
        options.SinkUris["Output"] = $"file://{output}/changes?empty=skip";
        return options;
    }

    /// <summary>Runs statements, each in a transaction of its own (a statement with several parts is one transaction).</summary>
    public static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (string sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Runs a query and returns its single value.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Waits until slot <paramref name="slot"/> exists and a connection streams from it: changes made from now on are captured.</summary>
    public static Task WaitForStreamingAsync(string connectionString, string slot) =>
        WaitUntilAsync(async () => await ScalarAsync(connectionString, $"SELECT active FROM pg_replication_slots WHERE slot_name = '{slot}'") is true);

    /// <summary>The slot's confirmed flush LSN as the server keeps it.</summary>
    public static async Task<ulong> ConfirmedFlushAsync(string connectionString, string slot) =>
        Lsn((string)(await ScalarAsync(connectionString, $"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{slot}'"))!);

    /// <summary>An LSN's text (<c>0/16B3748</c>) as a number.</summary>
    public static ulong Lsn(string text)
    {
        string[] parts = text.Split('/');
        return (ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 32)
            | ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Every change the pipeline wrote under <paramref name="output"/>: the batch files in batch order (on partitions, a
    /// batch's part files <c>changes-&lt;batch&gt;-part-0000p</c> in part order), their lines in order.
    /// </summary>
    public static List<JsonElement> ReadOutput(string output)
    {
        if (!Directory.Exists(output))
        {
            return [];
        }

        var changes = new List<JsonElement>();
        IEnumerable<string> files = Directory.GetFiles(output, "changes-*")
            .OrderBy(file => long.Parse(Path.GetFileName(file)["changes-".Length..].Split('-')[0], CultureInfo.InvariantCulture))
            .ThenBy(file => file, StringComparer.Ordinal);
        foreach (string file in files)
        {
            foreach (string line in File.ReadAllLines(file))
            {
                if (line.Length > 0)
                {
                    changes.Add(JsonDocument.Parse(line).RootElement.Clone());
                }
            }
        }

        return changes;
    }

    /// <summary>A change without its log positions and time: <c>op table key new old</c>, the last three as the JSON text written.</summary>
    public static string Shape(JsonElement change) =>
        $"{change.GetProperty("op").GetString()} {change.GetProperty("table").GetString()} " +
        $"{change.GetProperty("key").GetRawText()} {change.GetProperty("new").GetRawText()} {change.GetProperty("old").GetRawText()}";

    /// <summary>The change's place in the log: its transaction's commit LSN, then its own LSN.</summary>
    public static (ulong Commit, ulong Change) Place(JsonElement change) =>
        (Lsn(change.GetProperty("commitLsn").GetString()!), Lsn(change.GetProperty("lsn").GetString()!));

    /// <summary>
    /// Waits up to a minute for <paramref name="condition"/>; when it does not come, fails saying <paramref name="what"/>
    /// was awaited and, given a <paramref name="log"/>, what the runs logged last.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string? what = null, FileLog? log = null)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow >= giveUp)
            {
                string message = $"Not there within 60 seconds{(what is null ? "" : ": " + what)}.";
                Assert.Fail(log is null ? message : log.Failure(message));
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits up to a minute for <paramref name="condition"/>, as <see cref="WaitUntilAsync"/> does.</summary>
    public static Task WaitUntil(Func<bool> condition, string? what = null, FileLog? log = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, log);

    /// <summary>The slot <paramref name="slot"/> as the server has it: active or not, by which process, confirmed to where.</summary>
    public static async Task<string> SlotStateAsync(string connectionString, string slot) =>
        (string?)await ScalarAsync(connectionString,
            "SELECT 'active ' || active::text || ', pid ' || coalesce(active_pid::text, '-') || ', confirmed ' || coalesce(confirmed_flush_lsn::text, '-') " +
            $"FROM pg_replication_slots WHERE slot_name = '{slot}'") ?? "no such slot";
}

/// <summary>A temporary directory, deleted at the end.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory() => Path = Directory.CreateTempSubdirectory("compiled-cdc-").FullName;

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Every message logged, from every category.</summary>
internal sealed class LogCapture : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IEnumerable<string> Messages => _messages;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _messages.Enqueue(formatter(state, exception));

    public void Dispose()
    {
    }
}

/// <summary>
/// Every message logged, from every category and at every level, with its time, thread-safely appended to a file under
/// the test output's <c>logs</c> folder, which stays after the test: when a test fails, the file tells what the runs did.
/// </summary>
internal sealed class FileLog : ILoggerFactory
{
    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;

    /// <summary>Opens (replacing) <c>logs/<paramref name="name"/>-PID.log</c> next to the test assembly, PID the test process's.</summary>
    public FileLog(string name)
    {
        string folder = System.IO.Path.Combine(AppContext.BaseDirectory, "logs");
        Directory.CreateDirectory(folder);
        Path = System.IO.Path.Combine(folder, $"{name}-{Environment.ProcessId}.log");
        _writer = new StreamWriter(Path, append: false) { AutoFlush = true };
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Writes one line of the test's own, among the runs' messages.</summary>
    public void Write(string text) => Append("test", LogLevel.Information, text, null);

    /// <summary>
    /// A failure's message: <paramref name="what"/>, the file's path, and its last lines (what the runs did just
    /// before), so that a failure far from this machine says why.
    /// </summary>
    public string Failure(string what)
    {
        string[] lines = Text().Split('\n');
        return $"{what}{Environment.NewLine}The last lines of {Path}:{Environment.NewLine}{string.Join('\n', lines.TakeLast(40))}";
    }

    /// <summary>Everything written so far, while the runs may still be writing.</summary>
    public string Text()
    {
        lock (_gate)
        {
            _writer.Flush();
            using var reader = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(reader).ReadToEnd();
        }
    }

    public ILogger CreateLogger(string categoryName) => new Category(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    private void Append(string category, LogLevel level, string text, Exception? error)
    {
        string line = $"{DateTime.UtcNow:HH:mm:ss.fff} [{Environment.CurrentManagedThreadId,3}] {level,-11} {category}: {text}" +
            (error is null ? "" : Environment.NewLine + error);
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A message logged after the test ended (a stream task winding down) has no file to go to.
            }
        }
    }

    private sealed class Category(FileLog log, string name) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Append(name, logLevel, formatter(state, exception), exception);
    }
}

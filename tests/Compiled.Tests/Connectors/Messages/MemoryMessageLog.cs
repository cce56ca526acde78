using System.Collections.Concurrent;
using System.Text;

namespace Compiled.Tests.Connectors.Messages;

/// <summary>
/// An append-only list of messages in memory, named so that a <c>memq:NAME</c> source URI can find it: the messaging
/// system a <see cref="MemoryMessageSource"/> reads, as a Kafka partition or a Redis stream would be. Thread-safe.
/// </summary>
internal sealed class MemoryMessageLog
{
    private static readonly ConcurrentDictionary<string, MemoryMessageLog> Logs = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private TaskCompletionSource _appended = NewSignal();

    private MemoryMessageLog(string name) => Name = name;

    /// <summary>The log's name: <c>memq:</c> and it is a source URI that reads it.</summary>
    public string Name { get; }

    /// <summary>The source URI of the log, with <paramref name="options"/> (<c>follow=true</c>, <c>batch=3</c>) if any.</summary>
    public string Uri(string options = "") => "memq:" + Name + (options.Length == 0 ? "" : "?" + options);

    /// <summary>The messages appended so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Creates a log with a name no other test uses.</summary>
    public static MemoryMessageLog Create()
    {
        var log = new MemoryMessageLog("log-" + Guid.NewGuid().ToString("N"));
        Logs[log.Name] = log;
        return log;
    }

    /// <summary>The log named <paramref name="name"/>, if a test created it.</summary>
    public static bool TryFind(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MemoryMessageLog? log) =>
        Logs.TryGetValue(name, out log);

    /// <summary>Appends a message of UTF-8 <paramref name="payload"/>, with a key when <paramref name="key"/> is given.</summary>
    public void Append(string payload, string? key = null, long timestamp = 0) =>
        Append(Encoding.UTF8.GetBytes(payload), key is null ? null : Encoding.UTF8.GetBytes(key), timestamp);

    /// <summary>Appends a message.</summary>
    public void Append(byte[] payload, byte[]? key, long timestamp)
    {
        TaskCompletionSource appended;
        lock (_gate)
        {
            _entries.Add(new Entry(payload, key, timestamp));
            appended = _appended;
            _appended = NewSignal();
        }

        appended.TrySetResult();
    }

    /// <summary>The message at <paramref name="index"/>.</summary>
    public Entry this[int index]
    {
        get
        {
            lock (_gate)
            {
                return _entries[index];
            }
        }
    }

    /// <summary>A task that completes when the log holds more than <paramref name="count"/> messages.</summary>
    public Task WhenMoreThan(int count)
    {
        lock (_gate)
        {
            return _entries.Count > count ? Task.CompletedTask : _appended.Task;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One message: its payload, its key (null for none) and its timestamp.</summary>
    public sealed record Entry(byte[] Payload, byte[]? Key, long Timestamp);
}

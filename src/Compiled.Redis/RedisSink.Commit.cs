using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>The commit: the batch's commands, pipelined, and the retries of a server that is down.</summary>
public sealed partial class RedisSink
{
    private static readonly RedisValue KeyField = "key";
    private static readonly RedisValue ValueField = "value";

    private readonly List<Task> _pending = [];

    // The arrays the commands are built in, kept from batch to batch, and the stream entries' ids as text.
    private readonly ChunkArrays<HashEntry> _hashChunks = new(ChunkSize);
    private readonly ChunkArrays<SortedSetEntry> _memberChunks = new(ChunkSize);
    private readonly ChunkArrays<KeyValuePair<RedisKey, RedisValue>> _pairChunks = new(ChunkSize);
    private readonly StreamFieldArrays _streamFields = new();
    private readonly EntryIds _ids = new();

    // Runs an operation, and runs it again while the server is away (RedisRetry).
    private Task<T> WithRetriesAsync<T>(Func<CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken) =>
        _retry.RunAsync(operation, what, cancellationToken);

    private string Advice(string answer) => answer.StartsWith("WRONGTYPE", StringComparison.Ordinal)
        ? $"A key the sink writes ('{KeyShown}') holds another type than {_options.Type.ToString().ToLowerInvariant()}: delete it, or write to another key."
        : answer.StartsWith("NOAUTH", StringComparison.Ordinal) || answer.StartsWith("WRONGPASS", StringComparison.Ordinal)
            ? "Give the right user and password: redis://user:password@host:port/KEY."
            : "Check the server's log.";

    private string KeyShown => _options.Type == RedisDataType.String ? _options.Prefix + "*" : _options.Key;

    private async Task<long?> ReadLastEntryTimeAsync(CancellationToken cancellationToken)
    {
        IDatabase database = Database();
        StreamEntry[] last = await database.StreamRangeAsync(_key, "-", "+", count: 1, messageOrder: Order.Descending).ConfigureAwait(false);
        if (last.Length == 0)
        {
            return null;
        }

        string id = last[0].Id.ToString();
        int dash = id.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(dash < 0 ? id : id[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    // Sends every command of the batch before awaiting any, so they travel pipelined; returns after every answer. The
    // commands are built in arrays kept from batch to batch (ChunkArrays), whose values point into the batch's buffer:
    // the client reads them when it writes a command, and every command is written before its answer is awaited.
    private async Task<int> SendBatchAsync(long idTime)
    {
        IDatabase database = Database();
        _pending.Clear();
        switch (_options.Type)
        {
            case RedisDataType.Hash:
                for (int start = 0; start < _count; start += ChunkSize)
                {
                    HashEntry[] fields = _hashChunks.Take(start, _count);
                    for (int i = 0; i < fields.Length; i++)
                    {
                        ref Entry entry = ref EntryAt(start + i);
                        fields[i] = new HashEntry(KeyOf(in entry), ValueOf(in entry));
                    }

                    _pending.Add(database.HashSetAsync(_key, fields));
                }

                break;

            case RedisDataType.Zset:
                for (int start = 0; start < _count; start += ChunkSize)
                {
                    SortedSetEntry[] members = _memberChunks.Take(start, _count);
                    for (int i = 0; i < members.Length; i++)
                    {
                        ref Entry entry = ref EntryAt(start + i);
                        members[i] = new SortedSetEntry(KeyOf(in entry), entry.Kind == ValueKind.Integer ? entry.Integer : entry.Real);
                    }

                    _pending.Add(database.SortedSetAddAsync(_key, members));
                }

                break;

            case RedisDataType.String:
                for (int start = 0; start < _count; start += ChunkSize)
                {
                    KeyValuePair<RedisKey, RedisValue>[] pairs = _pairChunks.Take(start, _count);
                    for (int i = 0; i < pairs.Length; i++)
                    {
                        ref Entry entry = ref EntryAt(start + i);
                        pairs[i] = new(PrefixedKey(in entry), ValueOf(in entry));
                    }

                    _pending.Add(database.StringSetAsync(pairs));
                }

                break;

            case RedisDataType.Stream:
                _ids.Clear();
                for (int i = 0; i < _count; i++)
                {
                    ref Entry entry = ref EntryAt(i);
                    NameValueEntry[] fields = _streamFields.For(i, entry.Keyless ? 1 : 2);
                    if (entry.Keyless)
                    {
                        fields[0] = new NameValueEntry(ValueField, ValueOf(in entry));
                    }
                    else
                    {
                        fields[0] = new NameValueEntry(KeyField, KeyOf(in entry));
                        fields[1] = new NameValueEntry(ValueField, ValueOf(in entry));
                    }

                    _pending.Add(database.StreamAddAsync(_key, fields, _ids.Add(idTime, i)));
                }

                break;
        }

        // Every answer is awaited, so none is left unobserved; the first failure is thrown after all have answered.
        int alreadyThere = 0;
        Exception? failure = null;
        foreach (Task task in _pending)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (RedisServerException error) when (_options.Type == RedisDataType.Stream && error.Message.Contains("equal or smaller than the target stream top item", StringComparison.Ordinal))
            {
                alreadyThere++;
            }
            catch (Exception error) when (failure is null)
            {
                failure = error;
            }
            catch (Exception)
            {
                // A later answer's failure: the first one is thrown.
            }
        }

        _pending.Clear();
        if (failure is not null)
        {
            throw failure;
        }

        if (alreadyThere > 0)
        {
            LogAlreadyThere(_options.SafeText, alreadyThere, _count, idTime);
        }

        return alreadyThere;
    }

    private IDatabase Database() =>
        (_connection ?? throw new InvalidOperationException("The redis sink is not open; a run opens it before the first batch.")).GetDatabase(_options.Database);

    // A string key: the prefix and the record's key in one array of its own (a key the client holds as bytes).
    private RedisKey PrefixedKey(in Entry entry)
    {
        var key = new byte[_prefixBytes.Length + entry.KeyLength];
        _prefixBytes.CopyTo(key, 0);
        _bytes.Slice(entry.KeyStart, entry.KeyLength).CopyTo(key.AsSpan(_prefixBytes.Length));
        return key;
    }

    private RedisValue KeyOf(in Entry entry) => _bytes.Memory(entry.KeyStart, entry.KeyLength);

    private RedisValue ValueOf(in Entry entry) => entry.Kind switch
    {
        ValueKind.Integer => entry.Integer,
        ValueKind.Real => entry.Real,
        _ => _bytes.Memory(entry.ValueStart, entry.ValueLength),
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Redis sink {Sink}: the server is not reachable yet; the client keeps trying, and the first commit waits for it")]
    private partial void LogNotConnected(string sink);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Redis sink {Sink}: {Count} of {Total} stream entries of batch {IdTime} ms were already there (written before a restart) and were not added again")]
    private partial void LogAlreadyThere(string sink, int count, int total, long idTime);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Redis sink {Sink}: the stream's last entry is of batch {LastBatch} ms, after the checkpoint's {Checkpointed} ms; the first batch read again is written under {LastBatch} ms, so its entries already there are not added twice")]
    private partial void LogReplaying(string sink, long lastBatch, long checkpointed);
}

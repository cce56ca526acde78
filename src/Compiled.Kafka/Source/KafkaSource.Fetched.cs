using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Compiled.Connectors.Messages;
using Confluent.Kafka;

namespace Compiled.Kafka;

// Records on their way from the consumer's thread to the job: the client's deserializer copies each record's key and
// value straight out of librdkafka's memory into a reused buffer (no array per record), the consumer's thread fills a
// run of records and hands the whole run over under one lock, and the job's loop moves runs into its message batch.
public sealed partial class KafkaSource
{
    // A run is handed to the job at this many records (less with a small prefetch), or this many bytes, or as soon as
    // the client has no record ready at once.
    private const int RunRecords = 1024;
    private const int RunBytes = 256 * 1024;

    // A run's buffer grown past this (by a long record) is let go once the job took it, so one long record does not keep
    // its memory for the rest of the run.
    private const int RunKeepsBytes = 1 << 20;

    // Where a record's key or value lies in its run's buffer; a length of -1 for none (a null key or value).
    private readonly record struct RecordBytes(int Start, int Length);

    // The records of the topic partitions one partition of the run reads (all of them on one partition): the runs handed
    // over and not yet taken, the run the consumer's thread fills, and the wait of the partition's thread for records.
    private sealed class Lane
    {
        public Queue<FetchedRecords> Ready { get; } = new();

        // The records of the runs in Ready not yet taken.
        public int ReadyRecords { get; set; }

        // The run being filled: the consumer's thread's own until it is handed over.
        public FetchedRecords? Filling { get; set; }

        public TaskCompletionSource? Readable { get; set; }

        // Under the gate: hands over the run being filled (records of partitions this process still holds that the job
        // does not have yet) and wakes the lane's reader; returns the records handed over, and the run goes to Ready.
        public int HandOver(FetchedRecords handed)
        {
            handed.Admit();
            int records = handed.Unread;
            if (records == 0)
            {
                handed.Clear();
                return 0;
            }

            Ready.Enqueue(handed);
            ReadyRecords += records;
            Filling = null;
            Wake();
            return records;
        }

        // Under the gate: drops the unread records of partitions taken away, handed over or being filled; returns how
        // many of those handed over it dropped.
        public int Drop(List<PartitionState> released)
        {
            int dropped = 0;
            foreach (FetchedRecords records in Ready)
            {
                dropped += records.Drop(released);
            }

            ReadyRecords -= dropped;
            Filling?.Drop(released);
            return dropped;
        }

        // Under the gate: the lane's reader waits no more (records came, or the source failed).
        public void Wake()
        {
            if (Readable is { } readable)
            {
                Readable = null;
                readable.TrySetResult();
            }
        }
    }

    // The client's deserializer of keys and values: copies the bytes into the run being filled, called on the consumer's
    // thread inside Consume.
    private sealed class RecordBytesDeserializer(FetchedRecords into) : IDeserializer<RecordBytes>
    {
        public FetchedRecords Into { get; set; } = into;

        public RecordBytes Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? new RecordBytes(0, -1) : new RecordBytes(Into.Keep(data), data.Length);
    }

    // A run of fetched records: their bytes in one buffer, one entry each with its partition, offset and timestamp.
    // Filled on the consumer's thread; once handed over, read and changed only under the source's gate.
    private sealed class FetchedRecords(int capacity)
    {
        private readonly Entry[] _entries = new Entry[capacity];
        private readonly KeptBytes _bytes = new(4096, "a kafka source cannot keep a fetched record of more than 2 GiB for the job; produce smaller records.");
        private int _count;
        private int _next;

        // The records not yet moved to the job's batch.
        public int Unread => _count - _next;

        public int Count => _count;

        public bool IsFull => _count == _entries.Length || _bytes.Used >= RunBytes;

        // Copies a key's or value's bytes into the buffer; returns where they start.
        public int Keep(ReadOnlySpan<byte> bytes) => _bytes.Keep(bytes);

        public void Add(PartitionState partition, long offset, long timestamp, RecordBytes key, RecordBytes value) =>
            _entries[_count++] = new Entry(partition, offset, timestamp, key, value);

        // Adds a record whose key and value the deserializer copied into `staged`, copying them into this run: a source
        // read on several partitions of the run learns which lane a record goes to only once the client returns it.
        public void AddCopy(PartitionState partition, long offset, long timestamp, FetchedRecords staged, RecordBytes key, RecordBytes value)
        {
            ReadOnlySpan<byte> bytes = staged._bytes.Span;
            RecordBytes ownKey = key.Length < 0 ? key : new RecordBytes(Keep(bytes.Slice(key.Start, key.Length)), key.Length);
            RecordBytes ownValue = value.Length < 0 ? value : new RecordBytes(Keep(bytes.Slice(value.Start, value.Length)), value.Length);
            _entries[_count++] = new Entry(partition, offset, timestamp, ownKey, ownValue);
        }

        // Under the gate, as the run is handed over: keeps the records of partitions this process still holds that the
        // job does not have yet (a record fetched again after a rebalance is dropped), in order.
        public void Admit()
        {
            int kept = _next;
            for (int i = _next; i < _count; i++)
            {
                ref Entry entry = ref _entries[i];
                PartitionState partition = entry.Partition;
                if (!partition.Assigned || (partition.Expected >= 0 && entry.Offset < partition.Expected))
                {
                    continue;
                }

                partition.Expected = entry.Offset + 1;
                _entries[kept++] = entry;
            }

            Array.Clear(_entries, kept, _count - kept);
            _count = kept;
        }

        // Under the gate: drops the unread records of partitions taken away; returns how many.
        public int Drop(List<PartitionState> released)
        {
            int kept = _next;
            for (int i = _next; i < _count; i++)
            {
                if (!released.Contains(_entries[i].Partition))
                {
                    _entries[kept++] = _entries[i];
                }
            }

            int dropped = _count - kept;
            Array.Clear(_entries, kept, dropped);
            _count = kept;
            return dropped;
        }

        // Under the gate: moves unread records into the job's batch while it takes more; each becomes its partition's
        // last taken. Returns whether any was added (one longer than the source's limit is skipped, or fails the run).
        public bool MoveTo(MessageBatch batch)
        {
            Span<byte> position = stackalloc byte[MessagePositionLength];
            ReadOnlySpan<byte> bytes = _bytes.Span;
            bool added = false;
            while (_next < _count && !batch.IsFull)
            {
                ref readonly Entry entry = ref _entries[_next++];
                PartitionState partition = entry.Partition;
                long next = entry.Offset + 1;
                BinaryPrimitives.WriteInt32LittleEndian(position, partition.Slot);
                BinaryPrimitives.WriteInt64LittleEndian(position[4..], next);
                ReadOnlySpan<byte> value = entry.Value.Length < 0 ? default : bytes.Slice(entry.Value.Start, entry.Value.Length);
                added |= entry.Key.Length < 0
                    ? batch.Add(value, entry.Timestamp, position)
                    : batch.Add(value, bytes.Slice(entry.Key.Start, entry.Key.Length), entry.Timestamp, position);

                // The job takes the batch as soon as TryRead returns: the record is the partition's last taken.
                partition.Taken = next;
            }

            return added;
        }

        // Empties the run for the next records; its memory is kept unless a long record grew it.
        public void Clear()
        {
            Array.Clear(_entries, 0, _count);
            _count = 0;
            _next = 0;
            _bytes.Clear(RunKeepsBytes);
        }

        private readonly record struct Entry(PartitionState Partition, long Offset, long Timestamp, RecordBytes Key, RecordBytes Value);
    }
}

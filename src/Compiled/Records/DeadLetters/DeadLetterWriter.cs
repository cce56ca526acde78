using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Compiled;

/// <summary>
/// The dead-letter sink of a run: a file of JSON lines, one per bad record, appended to. Letters of a batch are kept in
/// memory and written and flushed to disk together at the batch's end (<see cref="Flush"/>), before the batch's
/// checkpoint is written, so that a letter is never lost behind a committed batch.
/// </summary>
/// <remarks>
/// Each line is an object: <c>source</c>, <c>stream</c>, <c>offset</c> (the record's byte offset in its stream, where
/// the source knows it), <c>line</c> (where it counts lines), <c>position</c> (a message's, for a message source), <c>stage</c> or <c>field</c>, <c>reason</c> (the reason
/// code), <c>message</c>, and the raw record as <c>record</c> (UTF-8 text) or, when it is not valid UTF-8,
/// <c>recordBase64</c>. Called under the ledger's lock.
/// </remarks>
public sealed class DeadLetterWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private ArrayBufferWriter<byte>? _next;   // letters of the next batch, refused while this one completes (Mark)
    private bool _marked;
    private readonly Utf8JsonWriter _json;
    private FileStream? _file;

    /// <summary>Creates the writer of the file at <paramref name="path"/>; the file is created (and its directory) at the first letter, and appended to.</summary>
    public DeadLetterWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _json = new Utf8JsonWriter(_pending, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Letters written since the writer was created.</summary>
    public long Written { get; private set; }

    /// <summary>
    /// The batch in flight has all its records (its input is read), though it has not completed: the letters of records
    /// read from here on are the next batch's, kept apart until this batch's are written (<see cref="Flush"/>), as when a
    /// run's partitions read the next batch's input while the batch completes. A letter of a stage that runs at the batch
    /// boundary (<c>boundaryStage</c> in <see cref="Add"/>) is still the batch's.
    /// </summary>
    public void Mark() => _marked = true;

    /// <summary>
    /// Adds one letter to the batch's; it reaches the file at <see cref="Flush"/>. After <see cref="Mark"/>, a letter not
    /// of a <paramref name="boundaryStage"/> is the next batch's, written at the flush after this one.
    /// </summary>
    public void Add(string source, string stream, long offset, long line, string? position, string? stage, string? field, string reason, string message, ReadOnlySpan<byte> record, bool boundaryStage = false)
    {
        ArrayBufferWriter<byte> letters = _marked && !boundaryStage ? _next ??= new ArrayBufferWriter<byte>(4096) : _pending;
        _json.Reset(letters);
        _json.WriteStartObject();
        _json.WriteString("source"u8, source);
        _json.WriteString("stream"u8, stream);
        if (offset >= 0)
        {
            _json.WriteNumber("offset"u8, offset);
        }

        if (line > 0)
        {
            _json.WriteNumber("line"u8, line);
        }

        if (position is not null)
        {
            _json.WriteString("position"u8, position);
        }

        if (stage is not null)
        {
            _json.WriteString("stage"u8, stage);
        }

        if (field is not null)
        {
            _json.WriteString("field"u8, field);
        }

        _json.WriteString("reason"u8, reason);
        _json.WriteString("message"u8, message);
        if (Utf8.IsValid(record))
        {
            _json.WriteString("record"u8, record);
        }
        else
        {
            _json.WriteBase64String("recordBase64"u8, record);
        }

        _json.WriteEndObject();
        _json.Flush();
        letters.Write("\n"u8);
        Written++;
    }

    /// <summary>
    /// Appends the batch's letters to the file and flushes them to disk (nothing to write when there are none); the next
    /// batch's, kept apart since <see cref="Mark"/>, become the batch's now.
    /// </summary>
    public void Flush()
    {
        WritePending();
        _marked = false;
        if (_next is { WrittenCount: > 0 })
        {
            _pending.Write(_next.WrittenSpan);
            _next.ResetWrittenCount();
        }
    }

    // The batch's letters appended to the file and flushed to disk.
    private void WritePending()
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        if (_file is null)
        {
            string? directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            _file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        }

        _file.Write(_pending.WrittenSpan);
        _file.Flush(flushToDisk: true);
        _pending.ResetWrittenCount();
    }

    /// <summary>Drops the letters not yet flushed: those of a batch that failed (and of the next one's records read so far), which a restart reads again.</summary>
    public void Discard()
    {
        _pending.ResetWrittenCount();
        _next?.ResetWrittenCount();
        _marked = false;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _json.Dispose();
        _file?.Dispose();
        _file = null;
    }
}

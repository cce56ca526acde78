using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Compiled.Connectors;

namespace Compiled.Sinks.Console;

/// <summary>
/// The <c>console</c> sink (also written <c>console:</c>): prints each batch the way Spark Streaming's
/// <c>DStream.print(num)</c> does, to standard output.
/// </summary>
/// <remarks>
/// <para>
/// The format is Spark's, byte for byte. apache/spark
/// <c>streaming/src/main/scala/org/apache/spark/streaming/dstream/DStream.scala</c>, <c>print(num)</c>:
/// <code>
/// val firstNum = rdd.take(num + 1)
/// println("-------------------------------------------")
/// println("Time: " + time)
/// println("-------------------------------------------")
/// firstNum.take(num).foreach(println)
/// if (firstNum.length > num) println("...")
/// println()
/// </code>
/// and <c>Time.toString</c> (<c>streaming/src/main/scala/org/apache/spark/streaming/Time.scala</c>) is
/// <c>millis.toString + " ms"</c>. So a batch prints as:
/// <code>
/// -------------------------------------------   (43 dashes)
/// Time: 1700000001000 ms
/// -------------------------------------------
/// r1
/// r2                                              (the first num records, one per line)
/// ...                                             (literally "...", only when the batch had more than num records)
///                                                 (an empty line)
/// </code>
/// An empty batch prints the header and the empty line, as Spark does. Lines end in <c>\n</c> on every
/// platform, like Scala's <c>println</c> on the Unix systems Spark's examples run on. (PySpark's
/// <c>pprint</c> prints the same shape but formats the time as a local date, not as milliseconds.)
/// </para>
/// <para>
/// Option <c>num</c> (default 10, at least 1) is the number of records shown per batch, as in
/// <c>print(num)</c>; write <c>console:?num=20</c>.
/// </para>
/// <para>
/// Option <c>format</c> (<c>text</c>, the default, <c>csv</c> or <c>json</c>) is how each record is printed: as Spark
/// prints it, as a CSV row (each batch's records follow a header row naming the columns, so a block reads as one CSV
/// document), or as a JSON object (one per line). When a pipeline has several sinks on the console, each batch a sink
/// prints starts with a line naming the sink, <c>-- Alerts --</c>, before Spark's header; a pipeline with one console
/// sink prints exactly Spark's form.
/// </para>
/// <para>
/// The first <c>num</c> records of a batch are copied into a buffer that is reused from batch to batch and
/// the rest are only counted, so the steady state allocates nothing. The whole batch reaches the output
/// stream in one write at <see cref="CommitBatchAsync"/>, followed by a flush, so batches printed by one
/// process never interleave and an aborted batch prints nothing. The sink owns the stream it opens
/// through <see cref="SinkContext.OpenStandardOutput"/> and disposes it when the sink is disposed.
/// </para>
/// <para>
/// The sink is at least once (<see cref="Guarantee"/>): a batch printed just before a crash is printed again after
/// a restart from a checkpoint, since printed text cannot be recalled.
/// </para>
/// <para>
/// Standard output is written without the console's process-wide lock (see <c>StandardOutput</c>), so a write
/// blocked on a pipe nobody reads never blocks what goes to standard error; and a pipe whose reader went away
/// (<c>| head</c>) fails the run with a <see cref="StandardOutputException"/>, as a full device does.
/// </para>
/// </remarks>
public sealed class ConsoleSink : Sink
{
    /// <summary>The number of records a batch shows unless the URI sets <c>num</c>, as in Spark's <c>print()</c>.</summary>
    public const int DefaultNum = 10;

    private readonly int _num;

    // "-- Name --\n" before each batch when the pipeline has another console sink; empty otherwise.
    private readonly byte[] _label;
    private Stream? _output;

    // The batch being rendered: header, shown records and, at commit, the trailer. It grows to the largest
    // batch rendering seen and is then reused, so a warm sink allocates nothing per record or per batch.
    private byte[] _buffer = new byte[4096];
    private int _length;
    private long _records;
    private bool _inBatch;

    /// <summary>Creates the sink for <paramref name="uri"/>: <c>console</c>, <c>console:</c> or <c>console:?num=N&amp;format=csv</c>.</summary>
    /// <exception cref="ConnectorUriException">The URI names a target or sets <c>num</c> below 1.</exception>
    public ConsoleSink(ConnectorUri uri, SinkContext context)
        : base(uri, context)
    {
        if (uri.Target.Length != 0)
        {
            throw uri.Error(
                $"console sink URI '{uri.Text}' names '{uri.Target}', but the console sink always writes to standard output; " +
                "write console, or console:?num=20 to show 20 records per batch");
        }

        _num = uri.TakeInt32("num", DefaultNum, minimum: 1);
        TakeFormat();
        _label = context.SharesConsole ? System.Text.Encoding.UTF8.GetBytes("-- " + context.SinkName + " --\n") : [];
    }

    /// <summary>
    /// <see cref="SinkGuarantee.AtLeastOnce"/>: standard output cannot take back what it printed, so when a run that
    /// keeps a checkpoint crashes after printing a batch and before its checkpoint is durable, the restart reads that
    /// batch's input again and prints its records a second time. Nothing is lost; a reader that must see each record
    /// once writes to the file sink instead.
    /// </summary>
    public override SinkGuarantee Guarantee => SinkGuarantee.AtLeastOnce;

    /// <summary>The number of records shown per batch; further records are summarised by a <c>...</c> line.</summary>
    public int Num => _num;

    /// <summary>Opens the output stream.</summary>
    public override ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _output ??= Context.OpenStandardOutput();
        return default;
    }

    /// <summary>Starts rendering the batch: its header goes into the reused buffer, nothing is written yet.</summary>
    public override void BeginBatch(long batchTimeMs)
    {
        if (_inBatch)
        {
            ThrowBatchOpen();
        }

        _length = 0;
        _records = 0;
        _inBatch = true;
        Append(_label);
        Append(Dashes);
        Append("Time: "u8);
        EnsureRoom(20); // The longest long, long.MinValue, is 20 characters.
        batchTimeMs.TryFormat(_buffer.AsSpan(_length), out int written, default, CultureInfo.InvariantCulture);
        _length += written;
        Append(" ms\n"u8);
        Append(Dashes);
        if (Format == SinkFormat.Csv && !CsvHeader.IsEmpty)
        {
            // Each block is read on its own, so each starts with the columns' names.
            Append(CsvHeader);
            Append("\n"u8);
        }
    }

    /// <summary>Copies the record if it is among the first <see cref="Num"/> of the batch; otherwise only counts it.</summary>
    public override void Write(ReadOnlySpan<byte> record)
    {
        if (!_inBatch)
        {
            ThrowNoBatch();
        }

        if (_records++ < _num)
        {
            EnsureRoom(record.Length + 1);
            record.CopyTo(_buffer.AsSpan(_length));
            _length += record.Length;
            _buffer[_length++] = (byte)'\n';
        }
    }

    /// <summary>Writes the rendered batch to standard output in one write, then flushes.</summary>
    /// <remarks>
    /// The write is synchronous, on the driver's thread. Console streams have no asynchronous I/O: the default
    /// <see cref="Stream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> queues the same synchronous write
    /// to the thread pool, which, measured with standard output redirected to a file, allocated 250 to 500
    /// bytes per batch and always completed asynchronously. A blocked standard output blocks the job either
    /// way, since the driver awaits the commit before the next batch starts. A write error (the reader of standard
    /// output went away, the device is full) is a <see cref="StandardOutputException"/>, which fails the run.
    /// </remarks>
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        if (!_inBatch)
        {
            ThrowNoBatch();
        }

        if (_output is null)
        {
            ThrowNotOpen();
        }

        if (_records > _num)
        {
            Append("...\n"u8);
        }

        Append("\n"u8);

        // The batch is finished whatever the write does: a failed write is reported to the driver, and there
        // is nothing left to abort.
        _inBatch = false;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            _output.Write(_buffer.AsSpan(0, _length));
            _output.Flush();
            return default;
        }
        catch (IOException error)
        {
            // A closed pipe or a full device: the run fails, since no later batch can be printed either.
            return ValueTask.FromException(new StandardOutputException(error));
        }
        catch (Exception error)
        {
            return ValueTask.FromException(error);
        }
    }

    /// <summary>Drops the batch being rendered; nothing of it is printed.</summary>
    public override void AbortBatch()
    {
        _inBatch = false;
        _length = 0;
        _records = 0;
    }

    /// <summary>Drops an uncommitted batch and disposes the output stream.</summary>
    public override async ValueTask DisposeAsync()
    {
        AbortBatch();
        Stream? output = _output;
        _output = null;
        if (output is not null)
        {
            await output.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    // 43 dashes and a line end: Spark's separator line.
    private static ReadOnlySpan<byte> Dashes => "-------------------------------------------\n"u8;

    private void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureRoom(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureRoom(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int count)
    {
        int needed = checked(_length + count);
        int size = (int)Math.Min(Math.Max((long)_buffer.Length * 2, needed), Array.MaxLength);
        if (size < needed)
        {
            throw new InvalidOperationException($"The console sink cannot render a batch of more than {Array.MaxLength} bytes; lower num.");
        }

        Array.Resize(ref _buffer, size);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoBatch() =>
        throw new InvalidOperationException("The console sink has no batch in progress; call BeginBatch first.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBatchOpen() =>
        throw new InvalidOperationException("The console sink already has a batch in progress; commit or abort it before beginning another.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotOpen() =>
        throw new InvalidOperationException("The console sink is not open; call OpenAsync before committing a batch.");
}

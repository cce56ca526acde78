using System.Runtime.CompilerServices;
using System.Text;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;

namespace Compiled;

/// <summary>
/// Where the parser of one source reports a record it refuses, whatever the format (CSV today, JSON lines the same way):
/// <see cref="Refuse"/> counts it in the source's <see cref="SourceCounters.Malformed"/> total and under its field and
/// reason in the run's <see cref="BadRecordLedger"/>, writes it to the dead-letter sink under
/// <see cref="BadRecordPolicy.DeadLetter"/>, and under <see cref="BadRecordPolicy.Fail"/> throws a
/// <see cref="BadRecordException"/> that says where the record was (stream, byte offset, line). It also tells a
/// <see cref="StageGuard"/> where the record a stage threw on came from.
/// </summary>
/// <remarks>Only bad records reach it; the per-record path never calls it.</remarks>
public sealed class BadRecordSource
{
    private readonly BadRecordLedger _ledger;
    private readonly SourceCounters _counters;
    private readonly LineFramer? _framer;

    internal BadRecordSource(BadRecordLedger ledger, string name, SourceCounters counters, LineFramer? framer, BadRecordPolicy? policy)
    {
        _ledger = ledger;
        Name = name;
        _counters = counters;
        _framer = framer;
        Policy = policy;
    }

    /// <summary>A refusal point with a ledger of its own and no framer: for a reader made outside a job (tests, tools).</summary>
    public static BadRecordSource Standalone(string name, SourceCounters counters) => new(new BadRecordLedger(), name, counters, null, null);

    /// <summary>
    /// The policy the run gives this source's records that do not parse (its URI's <c>onBadRecord</c>), which the parser
    /// takes over the one the pipeline declares; <see langword="null"/> when the run gives none.
    /// </summary>
    public BadRecordPolicy? Policy { get; }

    /// <summary>
    /// The policy in force for this source's records that do not parse: the run's (<see cref="Policy"/>, its URI's
    /// <c>onBadRecord</c>) over <paramref name="declared"/>, what the pipeline declares (the source's
    /// <c>[Source(OnBadRecord = ...)]</c>, else the record's own).
    /// </summary>
    public BadRecordPolicy PolicyOver(BadRecordPolicy declared) => Policy ?? declared;

    /// <summary>The source's name.</summary>
    public string Name { get; }

    /// <summary>The ledger the source counts into.</summary>
    public BadRecordLedger Ledger => _ledger;

    /// <summary>
    /// What counts the lines of the source's streams (a CSV reader), so that reports give the record's line; set by the
    /// reader when it is created.
    /// </summary>
    public IRecordLines? Lines { get; set; }

    /// <summary>
    /// The batch of messages being delivered, for a message source (the generated job sets it before each delivery):
    /// a bad record's report then gives the message's position in its source rather than a byte offset.
    /// </summary>
    public MessageBatch? Messages { get; set; }

    /// <summary>The stream the record being read comes from: its file or connection (a message source's URI), or empty when not known.</summary>
    public string Stream => Messages is { } messages ? messages.Source : Lines?.Stream is { Length: > 0 } stream ? stream : _framer?.StreamName ?? "";

    /// <summary>
    /// The position of the message being delivered, as its source keeps it (a Redis entry id as text; other sources'
    /// binary positions in hex); <see langword="null"/> for a byte stream.
    /// </summary>
    public string? MessagePosition
    {
        get
        {
            if (Messages is not { } messages || messages.Delivering >= messages.Count)
            {
                return null;
            }

            ReadOnlySpan<byte> position = messages[messages.Delivering].Position;
            return position.IsEmpty ? $"message {messages.Delivering + 1} of its batch"
                : !position.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) ? Encoding.ASCII.GetString(position)
                : "0x" + Convert.ToHexString(position);
        }
    }

    /// <summary>The byte offset of the record being read in its stream, or -1 when the source does not know it.</summary>
    public long Offset => Messages is not null ? -1 : Lines?.RecordOffset is { } offset && offset >= 0 ? offset : _framer?.RecordOffset ?? -1;

    /// <summary>The line of its stream the record being read starts on, from 1; 0 when the source does not count lines.</summary>
    public long Line => Lines?.Line ?? 0;

    /// <summary>Where the record being read is, in words: <c>at byte 1234 (line 17) of /data/trades.csv</c>.</summary>
    public string Describe()
    {
        if (MessagePosition is { } position)
        {
            return $"at position {position} of {Stream}";
        }

        long offset = Offset;
        long line = Line;
        string stream = Stream;
        string at = offset >= 0 ? $"at byte {offset}" + (line > 0 ? $" (line {line})" : "") : line > 0 ? $"at line {line}" : "";
        string of = stream.Length == 0 ? "" : (at.Length == 0 ? "in " : " of ") + stream;
        return Name == BadRecordLedger.BatchSource ? "at the batch boundary" : (at + of).Length == 0 ? "(position unknown)" : at + of;
    }

    // Each reason's name, made once: the ledger keys its counts by it.
    private static readonly string[] ReasonNames = Enum.GetNames<BadRecordReason>();

    /// <summary>
    /// Refuses the record being read: counts it and, under <see cref="BadRecordPolicy.DeadLetter"/>, writes
    /// <paramref name="record"/> to the dead-letter sink; under <see cref="BadRecordPolicy.Fail"/> throws. Always
    /// <see langword="false"/>, so a parser can <c>return</c> it.
    /// </summary>
    /// <param name="policy">The source's policy.</param>
    /// <param name="reason">Why.</param>
    /// <param name="field">The field (member) that did not parse, or <see langword="null"/> for the whole record.</param>
    /// <param name="message">What was wrong, in words.</param>
    /// <param name="record">The raw record, as read.</param>
    /// <exception cref="BadRecordException">The policy is <see cref="BadRecordPolicy.Fail"/>.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool Refuse(BadRecordPolicy policy, BadRecordReason reason, string? field, string message, ReadOnlySpan<byte> record)
    {
        if (policy == BadRecordPolicy.Fail)
        {
            throw new BadRecordException(Name, Stream, Line, field, reason, message, Offset, MessagePosition);
        }

        _counters.Malformed++;
        _ledger.Refused(this, null, field, ReasonNames[(int)reason], message, record, policy == BadRecordPolicy.DeadLetter);
        return false;
    }

    // A stage threw on the record being read, and its policy keeps the job going.
    internal void StageRefused(StageGuard stage, Exception error, ReadOnlySpan<byte> record, bool deadLetter) =>
        _ledger.Refused(this, stage.Name, null, error.GetType().Name, error.Message, record, deadLetter);

    /// <summary>The first <paramref name="max"/> bytes of <paramref name="bytes"/> as text, for a message.</summary>
    public static string Excerpt(ReadOnlySpan<byte> bytes, int max = 80) => Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, max)]);
}

/// <summary>What a parser that counts the lines of its streams tells a <see cref="BadRecordSource"/>: where the record being read starts.</summary>
public interface IRecordLines
{
    /// <summary>The stream the record comes from.</summary>
    string Stream { get; }

    /// <summary>The line of the stream the record starts on, from 1.</summary>
    long Line { get; }

    /// <summary>The byte offset of the record's first line in the stream, or -1 when the parser does not know it (the framer's is used then).</summary>
    long RecordOffset { get; }
}

using Compiled.Generators.Helpers;

namespace Compiled.Generators.Model
{
    /// <summary>What a stage is.</summary>
    internal enum StageKind
    {
        Source,
        Map,
        Filter,
        FlatMap,
        ReduceByKey,
        CountByValue,
        Sink,
        Window,
        ReduceByKeyAndWindow,
        ReduceByWindow,
        CountByWindow,
        CountByValueAndWindow,
        UpdateStateByKey,
        MapWithState,
        Count,
        Reduce,
        MapValues,
        FlatMapValues,
        GroupByKey,
        CombineByKey,
        Union,
        Join,
        LeftOuterJoin,
        RightOuterJoin,
        FullOuterJoin,
        Cogroup,
        Transform,
        TransformWith,
        ForEachBatch,
        EventTime,
        EventWindow,
        SessionWindow,
    }

    /// <summary>How a stage's method receives its input record.</summary>
    internal enum InputArity
    {
        /// <summary>No input: a source.</summary>
        None,

        /// <summary>One parameter: the record.</summary>
        Record,

        /// <summary>Two parameters: the key and the value of a keyed record.</summary>
        KeyAndValue,

        /// <summary>One parameter per field of a tuple record, in order.</summary>
        Fields,
    }

    /// <summary>One stage of a pipeline, as plain values.</summary>
    /// <param name="Name">The method's name, which is the stage's name.</param>
    /// <param name="Kind">What the stage does.</param>
    /// <param name="Input">The index (in <see cref="PipelineModel.Stages"/>) of the stage it reads, or -1 for a source.</param>
    /// <param name="Arity">How its method takes the input record.</param>
    /// <param name="Output">The record it emits (for a [FlatMap], each element); <see langword="null"/> for a sink.</param>
    /// <param name="Location">The method's file name and line, for comments: <c>WordCount.cs:12</c>.</param>
    /// <param name="Signature">For a source or sink, the partial declaration to implement (modifiers, return type, name, parameters).</param>
    /// <param name="DefaultUri">For a source or sink, the default URI, or <see langword="null"/>.</param>
    /// <param name="Format">For a source, how bytes become records: <c>lines</c>.</param>
    /// <param name="RecordText">For a sink, its parameters as written, for --help: <c>(ReadOnlySpan&lt;byte&gt; word, long count)</c>.</param>
    /// <param name="Window">For a windowed stage, its window.</param>
    /// <param name="State">For a stateful stage, its state.</param>
    /// <param name="Other">For a stage that reads two streams, the index of the second; -1 otherwise.</param>
    /// <param name="MergeValue">For [CombineByKey], the method that adds a value to a combiner.</param>
    /// <param name="Time">For the event-time stages, their watermark or window.</param>
    /// <param name="LateOnly">For a sink, whether it receives only the late records of an [EventTime] stage.</param>
    /// <param name="Parse">For a typed source (<c>Lines&lt;T&gt;</c>), how a line becomes a record; <see langword="null"/> for byte lines.</param>
    /// <param name="MergeCombiners">For [CombineByKey], the method that merges two combiners (partitions' partials at the batch boundary).</param>
    /// <param name="OnError">A source: its [Source(OnBadRecord)] policy for a line that does not parse, when declared. [Map], [Filter], [FlatMap]: the policy for an exception the method throws on one record (<c>Fail</c>, <c>Skip</c>, <c>DeadLetter</c>) when the stage or the pipeline declares one, so that the loop guards the call; <see langword="null"/>: unguarded, an exception ends the job.</param>
    /// <param name="Fields">For a stage that takes a tuple's fields as parameters (<see cref="InputArity.Fields"/>), how many.</param>
    internal sealed record StageModel(
        string Name,
        StageKind Kind,
        int Input,
        InputArity Arity,
        RecordType? Output,
        string Location,
        string? Signature,
        string? DefaultUri,
        string? Format,
        string? RecordText,
        SourceParse? Parse = null,
        WindowModel? Window = null,
        StateModel? State = null,
        int Other = -1,
        string? MergeValue = null,
        TimeModel? Time = null,
        bool LateOnly = false,
        int Fields = 0,
        string? MergeCombiners = null,
        string? OnError = null,
        bool InOrder = false,
        ColumnCopy? Copy = null);

    /// <summary>
    /// A sink of a <c>[Record]</c> whose integer members reach it unchanged from the columns of a CSV source's line, in the
    /// same fused loop (through filters, and maps that copy them: <c>bid with { Price = ... }</c>, <c>new Out(bid.Auction, ...)</c>):
    /// written as CSV, each such member whose text is the text it would be written as is copied from the line, and a run of
    /// them that is a run of the line's columns is copied at once.
    /// </summary>
    /// <param name="Source">The index of the source whose line holds the columns.</param>
    /// <param name="Separator">The source record's separator: a run of columns is copied whole only where the sink's is the same.</param>
    /// <param name="Columns">Each member of the sink's record copied, with the source column it comes from.</param>
    internal sealed record ColumnCopy(int Source, char Separator, EquatableArray<CopiedColumn> Columns);

    /// <summary>A member of a sink's record that holds a source line's column unchanged.</summary>
    /// <param name="Member">The member's name in the sink's record.</param>
    /// <param name="Column">The column of the source's line (its CSV column index).</param>
    internal sealed record CopiedColumn(string Member, int Column);

    /// <summary>Event time: an [EventTime] stage's watermark, or an event-time window's shape and its [EventTime] stage.</summary>
    /// <param name="LatenessMilliseconds">[EventTime]: how far the watermark trails the latest event time.</param>
    /// <param name="ReturnsOffset">[EventTime]: whether the method returns a DateTimeOffset rather than Unix milliseconds.</param>
    /// <param name="LateSink">[EventTime]: the index of the sink of late records, or -1 to drop them.</param>
    /// <param name="SizeMilliseconds">[EventWindow]: the window's size.</param>
    /// <param name="SlideMilliseconds">[EventWindow]: how far apart windows start.</param>
    /// <param name="GapMilliseconds">[SessionWindow]: the gap that ends a session.</param>
    /// <param name="TimeStage">The windows: the index of the [EventTime] stage whose time and watermark they use.</param>
    /// <param name="IdleMilliseconds">[EventTime]: how long a source may give no record before it is idle; 0: never idle.</param>
    internal sealed record TimeModel(long LatenessMilliseconds, bool ReturnsOffset, int LateSink, long SizeMilliseconds, long SlideMilliseconds, long GapMilliseconds, int TimeStage, long IdleMilliseconds = 0);

    /// <summary>A stateful stage's state and the values it receives.</summary>
    /// <param name="State">The state type <c>S</c>.</param>
    /// <param name="Value">The value type <c>V</c> of the keyed records it reads.</param>
    /// <param name="TimeoutMilliseconds">For [MapWithState], how long a key may stay idle; <see langword="null"/> for ever.</param>
    /// <param name="OptionalOutput">For [MapWithState], whether the function returns a nullable struct whose null emits nothing.</param>
    /// <param name="TakesTimeAndKey">For [UpdateStateByKey], whether the function takes the batch time and the key too (Spark's (time, key, values, state) form).</param>
    /// <param name="InitialState">The static method that gives keys a state before the first batch; <see langword="null"/> for none.</param>
    /// <param name="TimeStage">For [UpdateStateByKey(EventTime = true)], the index of the [EventTime] stage whose watermark the function takes in place of the batch time; -1 otherwise.</param>
    internal sealed record StateModel(TypeName State, TypeName Value, long? TimeoutMilliseconds, bool OptionalOutput, bool TakesTimeAndKey = false, string? InitialState = null, int TimeStage = -1);

    /// <summary>A windowed stage's window, in milliseconds, and its helper methods.</summary>
    /// <param name="LengthMilliseconds">How much time the window covers.</param>
    /// <param name="SlideMilliseconds">How often it emits.</param>
    /// <param name="Inverse">The method that undoes the reduce, for incremental windows; <see langword="null"/> to merge the window again each slide.</param>
    /// <param name="Filter">The method that keeps a key (with <see cref="Inverse"/>); <see langword="null"/> for none.</param>
    /// <param name="FilterArity">How <see cref="Filter"/> takes the record.</param>
    internal sealed record WindowModel(long LengthMilliseconds, long SlideMilliseconds, string? Inverse, string? Filter, InputArity FilterArity);

    /// <summary>How a typed source's line becomes its record: one field, or a tuple's comma-separated fields.</summary>
    /// <param name="Declaration">The source's declaration type: <c>global::Compiled.Lines&lt;int&gt;</c>.</param>
    /// <param name="RecordDisplay">The record type as written, for --help: <c>int</c>, <c>(string Word, int Count)</c>.</param>
    /// <param name="Fields">The fields in order; one for a record that is not a tuple.</param>
    /// <param name="IsTuple">Whether the record is a tuple of <see cref="Fields"/>.</param>
    /// <param name="Record">For a <c>[Record]</c> struct, its type (fully qualified), whose generated <c>TryReadCsv</c> or <c>TryReadJson</c> reads each line; <see langword="null"/> otherwise.</param>
    /// <param name="Json">Whether the source reads its <see cref="Record"/> as JSON lines (<c>TryReadJson</c>) rather than CSV.</param>
    /// <param name="Splittable">For a CSV <see cref="Record"/>, whether a file of it may be split at line ends: one line per record (<c>MultiLine = false</c>) and no header of names.</param>
    /// <param name="ReadMask">For a <see cref="Record"/> (CSV or JSON lines), the members its stages read (bit i for the i-th member); <see cref="ulong.MaxValue"/> for all.</param>
    /// <param name="ReadMembers">The names of the members in <see cref="ReadMask"/>, for the generated code's comment; <see langword="null"/> for all.</param>
    /// <param name="FilterMask">For a CSV <see cref="Record"/> whose first stages are filters reading fewer members than <see cref="ReadMask"/>: the members they read, parsed before them, the rest of <see cref="ReadMask"/> after them; 0 when the record is read at once.</param>
    /// <param name="Filters">How many filters lead the source's stages, one below the other (see <see cref="FilterMask"/>).</param>
    /// <param name="FilterMembers">The names of the members in <see cref="FilterMask"/>, for the generated code's comment.</param>
    /// <param name="RestMembers">The names of the members of <see cref="ReadMask"/> not in <see cref="FilterMask"/>, read below the filters, for the generated code's comment.</param>
    /// <param name="KeepMask">For a CSV <see cref="Record"/>: the members whose column a sink copies as it came (<see cref="ColumnCopy"/>), whose place on a plain line the parser keeps.</param>
    internal sealed record SourceParse(string Declaration, string RecordDisplay, EquatableArray<ParseField> Fields, bool IsTuple, string? Record = null, bool Json = false,
        bool Splittable = false, ulong ReadMask = ulong.MaxValue, string? ReadMembers = null, ulong FilterMask = 0, int Filters = 0, string? FilterMembers = null, string? RestMembers = null,
        ulong KeepMask = 0);

    /// <summary>One field of a typed source's line.</summary>
    /// <param name="TypeCode">The field's type, fully qualified.</param>
    /// <param name="Reader">
    /// The <c>Utf8Fields</c> method that reads the field in place from the line (<c>TryInt64</c>, <c>TryString</c>, ...);
    /// <see langword="null"/> for a type it has none for, whose field is cut at its comma and read by <c>Utf8Parse.TryParse</c>.
    /// </param>
    internal sealed record ParseField(string TypeCode, string? Reader);

    /// <summary>The shape of a record flowing between stages.</summary>
    internal enum RecordShape
    {
        /// <summary><c>ReadOnlySpan&lt;byte&gt;</c>: a line or a slice of one.</summary>
        Bytes,

        /// <summary><c>Compiled.KeyValue&lt;V&gt;</c>: a byte-span key and a value.</summary>
        KeyValue,

        /// <summary><c>(K, V)</c>: a struct key and a value.</summary>
        Tuple,

        /// <summary>Any other type.</summary>
        Value,

        /// <summary><c>Compiled.Grouped&lt;V&gt;</c> or <c>Grouped&lt;K, V&gt;</c>: a key and all its values.</summary>
        Group,

        /// <summary><c>Compiled.Windowed&lt;V&gt;</c> or <c>Windowed&lt;K, V&gt;</c>: a key's value over an event-time window.</summary>
        Windowed,
    }

    /// <summary>How a sink renders a value as text.</summary>
    internal enum TextFormat
    {
        /// <summary>Bytes as they are.</summary>
        Bytes,

        /// <summary>Through <c>IUtf8SpanFormattable</c>, in the invariant culture.</summary>
        Utf8Formattable,

        /// <summary><c>true</c> / <c>false</c>, as Scala prints them.</summary>
        Boolean,

        /// <summary>Through <c>ToString()</c>.</summary>
        Object,

        /// <summary>Not printable: a ref struct without <c>IUtf8SpanFormattable</c>.</summary>
        None,
    }

    /// <summary>A type as the emitter writes it and as messages name it.</summary>
    /// <param name="Code">Fully qualified with <c>global::</c>.</param>
    /// <param name="Display">Short, for messages and comments.</param>
    /// <param name="Format">How a sink renders it.</param>
    /// <param name="IsRefLike">Whether it is a <c>ref struct</c>, which a test driver cannot keep and captures as text.</param>
    /// <param name="Fields">The fields of the user types it is made of, in declaration order, for the state layout; empty when there are none.</param>
    /// <param name="Checkpoint">
    /// How a checkpoint writes a value of the type, when a stage keeps one across batches. The parser classifies every
    /// type it reads from a symbol; a name it composes (<c>KeyValue&lt;V&gt;</c>) says so itself, or is never kept.
    /// </param>
    /// <param name="Codec">For <see cref="CheckpointForm.Codec"/>, the type the job registers: the type itself, or the struct a nullable wraps.</param>
    /// <param name="Writer">How a sink's CSV and JSON writers write a value of the type; <see langword="null"/> for a name the parser composes (<c>KeyValue&lt;V&gt;</c>), whose parts carry theirs.</param>
    /// <param name="TextCopy">
    /// For a tuple or struct holding <c>Utf8Text</c> members, the expression (over a variable named <c>key</c>) that copies
    /// them into text of its own, which the job registers for its key tables; <see langword="null"/> for any other type.
    /// </param>
    /// <param name="CheckpointMembers">
    /// For a tuple or struct with references whose members a checkpoint can write one by one (numbers, strings, a key's
    /// <c>Utf8Text</c>), those members in order; empty for any other type.
    /// </param>
    internal sealed record TypeName(
        string Code,
        string Display,
        TextFormat Format,
        bool IsRefLike = false,
        string Fields = "",
        CheckpointForm Checkpoint = CheckpointForm.Unwritable,
        string? Codec = null,
        Records.WriterField? Writer = null,
        string? TextCopy = null,
        EquatableArray<CheckpointMember> CheckpointMembers = default);

    /// <summary>
    /// A member of a tuple or struct that a checkpoint writes member by member: its name, its type's code, and, when it
    /// is itself a tuple or struct with references, its own members (written in its place, in order).
    /// </summary>
    internal sealed record CheckpointMember(string Name, string Type, EquatableArray<CheckpointMember> Members);

    /// <summary>How a checkpoint writes a value that a stage keeps across batches.</summary>
    internal enum CheckpointForm
    {
        /// <summary>As its bytes: the type holds no references (an unmanaged type), or it is a byte key.</summary>
        Bytes,

        /// <summary>Through the type's own <c>Compiled.Checkpoints.ICheckpointValue&lt;T&gt;</c>, which the job registers as it is created.</summary>
        Codec,

        /// <summary>A string, written as UTF-8 by the runtime without registration.</summary>
        Text,

        /// <summary>A tuple or struct written member by member (<see cref="TypeName.CheckpointMembers"/>), through the codec the job registers.</summary>
        Members,

        /// <summary>Not at all: it holds references and writes nothing itself. A pipeline keeping one runs, but refuses a checkpoint.</summary>
        Unwritable,
    }

    /// <summary>A record type and, for keyed records, its key and value.</summary>
    internal sealed record RecordType(RecordShape Shape, TypeName Type, TypeName? Key, TypeName? Value)
    {
        public bool IsKeyed => Shape is RecordShape.KeyValue or RecordShape.Tuple;
    }
}

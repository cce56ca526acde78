using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            /// <summary>Derived facts about a model that several parts of the emitter need.</summary>
            private sealed partial class PipelineView
            {
                /// <summary>The text buffer that sinks of non-byte records render into; a fixed name, reserved before any stage's.</summary>
                public const string TextField = "_text";

                /// <summary>The job's counters (late records), from the context.</summary>
                public const string MetricsField = "_metrics";

                /// <summary>Whether the first batch to begin puts the stages' initial state: until then, unless a checkpoint's state was read.</summary>
                public const string SeedField = "_initialStatePending";

                // Names the job's code uses as they are: its members and base members, the parameters of its methods,
                // the text buffer, and the discard. No stage's name may take them.
                private static readonly string[] FixedNames =
                {
                    "BeginStream", "Process", "CompleteBatch", "Dispose", "OnRecord", "OnValue", "ReduceWaiting", "BeginBatch", "WriteState", "ReadState",
                    "context", "source", "streamName", "buffer", "isCompleted", "disposing", "job", "record", "batch", "checkpoint", "section",
                    MetricsField, SeedField, TextField, "_",
                };

                private readonly StageNames[] _names;

                public PipelineView(PhysicalPlan plan, bool parquet, CancellationToken cancellationToken)
                {
                    Parquet = parquet;
                    PipelineModel model = plan.Model;
                    Physical = plan;
                    Model = model;
                    CancellationToken = cancellationToken;
                    ClassName = model.Type.FullyQualifiedName;
                    JobName = model.Name + "Job";
                    Sources = model.Stages.Where(s => s.Kind == StageKind.Source).ToList();
                    Sinks = model.Stages.Where(s => s.Kind == StageKind.Sink).ToList();
                    Aggregates = plan.Boundaries.Select(b => model.Stages[b.Stage]).ToList();
                    Stateful = model.Stages.Where(s => s.State is not null).ToList();
                    Windowed = model.Stages.Where(s => s.Window is not null).ToList();
                    Replayed = plan.ReplayedUnions.Select(u => model.Stages[u]).ToList();
                    _names = AllocateNames(model, JobName, Replayed, parquet);

                    AddWindowFields();
                    AddStateFields(model);
                    AddTimeFields(model);

                    foreach (StageModel stage in model.Stages)
                    {
                        StageNames names = NamesOf(stage);
                        foreach ((string type, string? name) in CollectorsOf(stage, names))
                        {
                            if (name is null)
                            {
                                continue;
                            }

                            _jobFields.Add((stage, $"private readonly {type} {name} = new();"));
                            if (!_collectors.TryGetValue(stage, out List<(string, string)>? list))
                            {
                                _collectors[stage] = list = new List<(string, string)>();
                            }

                            list.Add(($"private readonly {type} {name};", name));
                        }
                    }

                    foreach (StageModel aggregate in Aggregates.Where(a => a.Window is null && a.State is null && a.Kind is StageKind.ReduceByKey or StageKind.CountByValue or StageKind.CombineByKey))
                    {
                        string table = KeyTable(aggregate.Output!, aggregate.Output!.Value!.Code);
                        string field = NamesOf(aggregate).Field!;
                        _fields.Add(aggregate, ($"private readonly {table} {field} = new();", field));
                    }

                    foreach (StageModel sink in Sinks)
                    {
                        StageNames names = NamesOf(sink);
                        _fields.Add(sink, ($"private readonly {Runtime}.Sinks.Sink {names.Field};", names.Field!));
                        _writerFields.Add(sink, ($"private readonly {WriterType(sink)}? {names.Records};", names.Records!));
                        if (names.Parquet is { } columns)
                        {
                            _parquetFields.Add(sink, ($"private readonly {SinkWritersClass}.{ParquetColumnsClass(sink)}? {columns};", columns));
                        }
                    }

                    foreach (StageModel source in Sources)
                    {
                        if (NamesOf(source).BadRecords is { } badRecords && NeedsBadRecords(model, source))
                        {
                            _badRecordFields.Add(source, ($"private readonly {Runtime}.BadRecordSource {badRecords};", badRecords));
                        }
                    }

                    foreach (StageModel source in Sources)
                    {
                        if (NamesOf(source).Counters is { } counters)
                        {
                            _counterFields.Add(source, ($"private readonly {CountersType(source)} {counters};", counters));
                        }
                    }

                    foreach (StageModel stage in model.Stages)
                    {
                        if (NamesOf(stage).Guard is { } guard && IsGuarded(stage))
                        {
                            _guardFields.Add(stage, ($"private readonly {Runtime}.StageGuard {guard};", guard));
                        }
                    }

                    Plan = plan.Text;
                }

                /// <summary>Whether the project references Compiled.Parquet: each sink then has Parquet columns, used when it is bound to a <c>parquet</c> URI.</summary>
                public bool Parquet { get; }

                /// <summary>The physical plan the emitter walks: loop segments, boundary segments, sinks' batches.</summary>
                public PhysicalPlan Physical { get; }

                public StageNames NamesOf(StageModel stage) => _names[IndexOf(stage)];

                public PipelineModel Model { get; }

                public string ClassName { get; }

                public string JobName { get; }

                public List<StageModel> Sources { get; }

                public List<StageModel> Sinks { get; }

                public List<StageModel> Aggregates { get; }

                private readonly Dictionary<StageModel, (string Declaration, string Name)> _fields = new();
                private readonly Dictionary<StageModel, (string Declaration, string Name)> _currentFields = new();
                // The fields declared by the window, state, event-time and whole-batch stages, each with its stage (null for the job's own).
                private readonly List<(StageModel? Stage, string Declaration)> _jobFields = new();
                private readonly Dictionary<string, string> _loopFieldValues = new();

                /// <summary>What the fused loop's constructor sets one of its fields to: the job's field of that name, or (a window's current batch state) the window's <c>Current</c>.</summary>
                public string LoopFieldValue(string name) => _loopFieldValues.TryGetValue(name, out string? value) ? value : "job." + name;
                private readonly Dictionary<StageModel, (string Declaration, string Name)> _stateTables = new();
                private readonly Dictionary<StageModel, List<(string Declaration, string Name)>> _collectors = new();

                // The objects a stage's records are collected into during the batch: created once, never replaced,
                // so the fused loop holds them too.
                private IEnumerable<(string Type, string? Name)> CollectorsOf(StageModel stage, StageNames names)
                {
                    StageModel? input = stage.Input >= 0 ? Model.Stages[stage.Input] : null;
                    StageModel? other = stage.Other >= 0 ? Model.Stages[stage.Other] : null;
                    switch (stage.Kind)
                    {
                        case StageKind.Count:
                            yield return ($"{Runtime}.Windows.Partial<long>", names.Field);
                            break;
                        case StageKind.Reduce:
                            yield return ($"{Runtime}.Windows.Partial<{stage.Output!.Type.Code}>", names.Field);
                            break;
                        case StageKind.GroupByKey:
                            yield return (KeyTable(input!.Output!, $"{Runtime}.ValueList"), names.Field);
                            yield return ($"{Runtime}.ValueLists<{input.Output!.Value!.Code}>", names.Values);
                            break;
                        case StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin or StageKind.Cogroup:
                            yield return (KeyTable(input!.Output!, $"{Runtime}.ValueList"), names.Left);
                            yield return ($"{Runtime}.ValueLists<{input.Output!.Value!.Code}>", names.LeftValues);
                            yield return (KeyTable(other!.Output!, $"{Runtime}.ValueList"), names.Right);
                            yield return ($"{Runtime}.ValueLists<{other.Output!.Value!.Code}>", names.RightValues);
                            break;
                        case StageKind.Union:
                            yield return (SecondStreamType(stage), names.Field);
                            break;
                        case StageKind.EventWindow when UsesPanes(stage):
                            yield return (PanesType(input!, names), names.Field);
                            break;
                        case StageKind.EventWindow:
                            yield return ($"{Runtime}.Windows.EventWindowSet<{KeyTable(input!.Output!, input.Output!.Value!.Code)}>", names.Field);
                            break;
                        case StageKind.SessionWindow:
                        {
                            // One session window type, over the key table and the record of the stage's kind of key.
                            string value = input!.Output!.Value!.Code;
                            string lists = $"{Runtime}.Windows.SessionList";
                            yield return (input.Output.Shape == RecordShape.KeyValue
                                ? $"{Runtime}.Windows.SessionWindows<global::System.ReadOnlySpan<byte>, {value}, {Runtime}.Keys.ByteKeys<{lists}>, {Runtime}.Windowed<{value}>>"
                                : $"{Runtime}.Windows.SessionWindows<{input.Output.Key!.Code}, {value}, {Runtime}.Keys.StructKeys<{input.Output.Key!.Code}, {lists}>, {Runtime}.Windowed<{input.Output.Key!.Code}, {value}>>", names.Field);
                            break;
                        }

                        case StageKind.ForEachBatch when input!.Output!.Shape == RecordShape.Bytes:
                            yield return ($"{Runtime}.Windows.ByteRecords", names.In);
                            break;

                        case StageKind.ForEachBatch when input!.Output!.Shape == RecordShape.KeyValue:
                            yield return ($"{Runtime}.Windows.KeyValueRecords<{input.Output.Value!.Code}>", names.In);
                            break;

                        case StageKind.Transform or StageKind.TransformWith or StageKind.ForEachBatch:
                            yield return ($"{Runtime}.Windows.ValueRecords<{input!.Output!.Type.Code}>", names.In);
                            if (other is not null)
                            {
                                yield return ($"{Runtime}.Windows.ValueRecords<{other.Output!.Type.Code}>", names.OtherIn);
                            }

                            if (stage.Output is not null)
                            {
                                yield return ($"{Runtime}.RecordBuffer<{stage.Output.Type.Code}>", names.Out);
                            }

                            break;
                    }
                }

                // A key table for the keys of 'record' (byte keys or struct keys) holding 'value' per key.
                private static string KeyTable(RecordType record, string value) =>
                    record.Shape == RecordShape.KeyValue
                        ? $"{Runtime}.Keys.ByteKeyTable<{value}>"
                        : $"{Runtime}.Keys.StructKeyTable<{record.Key!.Code}, {value}>";

                private readonly Dictionary<StageModel, (string Declaration, string Name)> _writerFields = new();
                private readonly Dictionary<StageModel, (string Declaration, string Name)> _parquetFields = new();
                private readonly Dictionary<StageModel, (string Declaration, string Name)> _badRecordFields = new();
                private readonly Dictionary<StageModel, (string Declaration, string Name)> _counterFields = new();
                private readonly Dictionary<StageModel, (string Declaration, string Name)> _guardFields = new();

                /// <summary>The interface through which a sink may take its records as they are: <c>IRecordWriter&lt;KeyValue&lt;long&gt;&gt;</c>.</summary>
                public string WriterType(StageModel sink) => $"{Runtime}.Sinks.IRecordWriter<{Model.Stages[sink.Input].Output!.Type.Code}>";

                private static readonly (string Declaration, string Name) Text = ($"private readonly {Runtime}.RecordText {TextField} = new();", TextField);

                /// <summary>
                /// The job's fields, grouped by how long what they hold lives (the plan's <see cref="PhysicalPlan.Storage"/>), each
                /// group after a comment line: bound once, per batch, across batches (what a checkpoint holds), sinks.
                /// </summary>
                public IEnumerable<string> JobFields
                {
                    get
                    {
                        var fields = new List<(StageModel? Stage, string Declaration)>();
                        fields.AddRange(Sources.Select(s => ((StageModel?)s, $"private readonly {Runtime}.Framing.LineFramer {NamesOf(s).Framer};")));
                        fields.AddRange(_badRecordFields.Select(f => ((StageModel?)f.Key, f.Value.Declaration)));
                        fields.AddRange(_counterFields.Select(f => ((StageModel?)f.Key, f.Value.Declaration)));
                        fields.AddRange(_guardFields.Select(f => ((StageModel?)null, f.Value.Declaration)));
                        fields.AddRange(_fields.Select(f => ((StageModel?)f.Key, f.Value.Declaration)));
                        fields.AddRange(_writerFields.Select(f => ((StageModel?)f.Key, f.Value.Declaration)));
                        fields.AddRange(_parquetFields.Select(f => ((StageModel?)f.Key, f.Value.Declaration)));
                        fields.AddRange(_jobFields);
                        if (Sinks.Any(NeedsText))
                        {
                            fields.Add((null, Text.Declaration));
                        }

                        foreach ((StorageLifetime lifetime, string heading) in LifetimeHeadings)
                        {
                            bool first = true;
                            foreach ((StageModel? stage, string declaration) in fields)
                            {
                                if (LifetimeOf(stage) != lifetime)
                                {
                                    continue;
                                }

                                if (first)
                                {
                                    yield return heading;
                                    first = false;
                                }

                                yield return declaration;
                            }
                        }
                    }
                }

                private static readonly (StorageLifetime Lifetime, string Heading)[] LifetimeHeadings =
                {
                    (StorageLifetime.Bound, "// Bound when the job is created: framers, counters, metrics, the text buffer."),
                    (StorageLifetime.PerBatch, "// Per batch: what the batch collects, emptied at its end."),
                    (StorageLifetime.CrossBatch, "// Across batches: windows, state stores, watermarks, event-time windows (what a checkpoint holds)."),
                    (StorageLifetime.Sink, "// Sinks."),
                };

                // How long a stage's fields live, from the plan; the job's own fields (null) are bound once.
                private StorageLifetime LifetimeOf(StageModel? stage)
                {
                    if (stage is null)
                    {
                        return StorageLifetime.Bound;
                    }

                    int index = IndexOf(stage);
                    foreach (StageStorage storage in Physical.Storage)
                    {
                        if (storage.Stage == index)
                        {
                            return storage.Lifetime;
                        }
                    }

                    throw new System.InvalidOperationException($"The plan gives stage '{stage.Name}' no storage, but the job declares a field for it.");
                }

                // The stages a source's fused loop reaches: its per-record stages, and the first stage of each
                // boundary (or sink) below them, as the plan's loop segment lists them.
                public List<StageModel> ReachedFrom(StageModel source)
                {
                    int index = IndexOf(source);
                    LoopSegment loop = Physical.Loops.First(l => l.Source == index);
                    return loop.Stages.Select(s => Model.Stages[s]).ToList();
                }

                /// <summary>
                /// Whether a [ReduceByKey] or [CountByValue] stage's records wait in its key table while their slots are fetched,
                /// in a source's fused loop (<c>ByteKeyTable.Defer</c>, <c>StructKeyTable.Defer</c>): a reduce or count that no
                /// error policy guards (a guard reports the record whose call threw, and a waiting record's reduce runs while a
                /// later record is being handled), of byte keys or of struct keys that hold no view into a buffer (a waiting key
                /// is a copy, and a view may not outlive its record), into values without references (counts, numbers,
                /// unmanaged structs: a waiting value is a copy, where an object could still change).
                /// </summary>
                public bool DefersReduce(StageModel stage)
                {
                    if (stage.Kind is not (StageKind.ReduceByKey or StageKind.CountByValue) || IsGuarded(stage) || stage.Output!.Value!.Checkpoint != CheckpointForm.Bytes)
                    {
                        return false;
                    }

                    RecordType output = stage.Output;
                    return output.Shape == RecordShape.KeyValue || (output.Shape == RecordShape.Tuple && !HoldsView(output.Key!));
                }

                /// <summary>The stages of a source's fused loop whose records wait in their tables (<see cref="DefersReduce"/>): the loop reduces them all before it returns.</summary>
                public List<StageModel> WaitingIn(StageModel source) => ReachedFrom(source).Where(DefersReduce).Distinct().ToList();

                /// <summary>Whether a stage's call is guarded against an exception on one record: it declares a policy, or the pipeline does.</summary>
                public bool IsGuarded(StageModel stage) => stage.OnError is not null && stage.Kind != StageKind.Source;

                /// <summary>
                /// Whether a guarded stage runs in a source's fused loop, where a record is a source's (its report gives the
                /// source's position and line); one at the batch boundary works on the batch's reduced records.
                /// </summary>
                public bool IsGuardedInLoop(StageModel stage)
                {
                    int index = IndexOf(stage);
                    return IsGuarded(stage) && Physical.Loops.Any(loop => loop.Stages.Contains(index));
                }

                /// <summary>The job's field of a source's refusal point for bad records, or null when it has none.</summary>
                public string? BadRecordsFieldOf(StageModel source) => _badRecordFields.TryGetValue(source, out (string, string Name) field) ? field.Name : null;

                /// <summary>Whether any stage's call is guarded in a source's fused loop (see <see cref="IsGuardedInLoop"/>).</summary>
                public bool HasGuards => Model.Stages.Any(IsGuardedInLoop);

                /// <summary>The source whose fused loop is being written; null at the batch boundary.</summary>
                public StageModel? CurrentSource { get; set; }

                /// <summary>
                /// While a CSV record source's OnRecord is written with its filters first: the last of them, below which the rest of
                /// the record is parsed, and the source (see <see cref="SourceParse.FilterMask"/>); null otherwise.
                /// </summary>
                public (int Filter, StageModel Source)? LateRead { get; set; }

                /// <summary>
                /// While a CSV record source's OnRecord is written with its stages inline because a sink below copies columns of
                /// its line (<see cref="StageModel.Copy"/>): the source, whose reader and line the sink's CSV writer is given.
                /// </summary>
                public StageModel? CopyFrom { get; set; }

                // The sources whose fused loops reach a stage, in declaration order: an [EventTime] stage below a union
                // of two sources keeps a watermark input for each.
                public List<StageModel> LoopSourcesOf(StageModel stage)
                {
                    int index = IndexOf(stage);
                    return Physical.Loops.Where(loop => loop.Stages.Contains(index)).Select(loop => Model.Stages[loop.Source]).ToList();
                }

                public List<(string Declaration, string Name)> LoopFields(StageModel source)
                {
                    var used = new List<(string, string)>();
                    List<StageModel> reached = ReachedFrom(source);
                    bool text = reached.Any(child => child.Kind == StageKind.Sink && NeedsText(child));

                    if (_counterFields.TryGetValue(source, out (string, string) counters))
                    {
                        used.Add(counters);
                    }

                    if ((reached.Any(IsGuardedInLoop) || source.Parse is not null) && _badRecordFields.TryGetValue(source, out (string, string) badRecords))
                    {
                        used.Add(badRecords);
                    }

                    foreach (StageModel stage in Model.Stages)
                    {
                        if (reached.Contains(stage) && _guardFields.TryGetValue(stage, out (string, string) guard))
                        {
                            used.Add(guard);
                        }
                    }

                    // Declaration order within each registry, so the text is deterministic.
                    foreach (Dictionary<StageModel, (string, string)> registry in new[] { _fields, _stateTables, _currentFields })
                    {
                        foreach (StageModel stage in Model.Stages)
                        {
                            if (reached.Contains(stage) && registry.TryGetValue(stage, out (string, string) field))
                            {
                                used.Add(field);
                            }
                        }
                    }

                    foreach (StageModel stage in Model.Stages)
                    {
                        if (reached.Contains(stage) && _collectors.TryGetValue(stage, out List<(string, string)>? collectors))
                        {
                            used.AddRange(collectors);
                        }
                    }

                    // On partitions, a [MapWithState] stage's records wait in a buffer of one more partition until the boundary.
                    if (SinglePartitionReason(this) is null)
                    {
                        foreach (StageModel stage in reached.Where(s => s.Kind == StageKind.MapWithState))
                        {
                            // The job keeps records only for a state kept in shards, and only once it has partitions.
                            string arrived = NamesOf(stage).Arrived!;
                            bool sharded = StateInShards(this, stage);
                            used.Add(($"private readonly {(sharded ? ArrivedShardsType(stage) : ArrivedType(stage))}? {arrived};", arrived));
                            _loopFieldValues[arrived] = sharded ? "job." + arrived : "null";
                        }
                    }

                    if (reached.Any(s => s.Kind == StageKind.EventTime))
                    {
                        used.Add(($"private readonly {Runtime}.Hosting.JobMetrics {MetricsField};", MetricsField));
                        foreach (StageModel time in reached.Where(s => s.Kind == StageKind.EventTime && s.Time!.LateSink >= 0))
                        {
                            StageModel sink = Model.Stages[time.Time!.LateSink];
                            if (_fields.TryGetValue(sink, out (string, string) field) && !used.Contains(field))
                            {
                                used.Add(field);
                            }

                            if (_writerFields.TryGetValue(sink, out (string, string) writer) && !used.Contains(writer))
                            {
                                used.Add(writer);
                            }

                            if (_parquetFields.TryGetValue(sink, out (string, string) columns) && !used.Contains(columns))
                            {
                                used.Add(columns);
                            }

                            text |= NeedsText(sink);
                        }
                    }

                    if (text && !used.Contains(Text))
                    {
                        used.Add(Text);
                    }

                    foreach (StageModel stage in Model.Stages)
                    {
                        if (reached.Contains(stage) && _writerFields.TryGetValue(stage, out (string, string) field))
                        {
                            used.Add(field);
                        }

                        if (reached.Contains(stage) && _parquetFields.TryGetValue(stage, out (string, string) columns))
                        {
                            used.Add(columns);
                        }
                    }

                    return used;
                }

                // Every sink may be asked for CSV or JSON (?format=), which is rendered in the text buffer, byte spans too.
                private static bool NeedsText(StageModel sink) => sink.Kind == StageKind.Sink;

                public string Plan { get; }

                /// <summary>Cancelled when the compiler no longer needs the text; checked before each stage is written.</summary>
                public CancellationToken CancellationToken { get; }

                public int IndexOf(StageModel stage)
                {
                    for (int i = 0; i < Model.Stages.Count; i++)
                    {
                        if (ReferenceEquals(Model.Stages[i], stage))
                        {
                            return i;
                        }
                    }

                    return -1;
                }

                public IEnumerable<StageModel> ChildrenOf(int index) => Lowering.ChildrenOf(Model, index).Select(i => Model.Stages[i]);
            }
        }
    }
}

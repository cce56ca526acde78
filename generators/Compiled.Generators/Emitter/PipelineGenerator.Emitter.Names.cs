using System.Collections.Generic;
using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            /// <summary>The identifiers the job declares for one stage; <see langword="null"/> where the stage has none.</summary>
            private sealed class StageNames
            {
                /// <summary>An aggregate's table or a sink's field: <c>_add</c>, <c>_output</c>.</summary>
                public string? Field { get; set; }

                /// <summary>A guarded stage's <c>StageGuard</c> field: <c>_parseGuard</c>.</summary>
                public string? Guard { get; set; }

                /// <summary>A guarded stage's caught exception, and its flag (a filter's verdict, a flat map's "inside the stages below"), or its label after the stages below (a map): <c>parseError</c>, <c>parseDone</c>.</summary>
                public string? Error { get; set; }

                /// <summary>See <see cref="Error"/>.</summary>
                public string? Flag { get; set; }

                /// <summary>A source's refusal point for bad records (<c>BadRecordSource</c>): <c>_inputBadRecords</c>.</summary>
                public string? BadRecords { get; set; }

                /// <summary>A source's framer field: <c>_inputFramer</c>.</summary>
                public string? Framer { get; set; }

                /// <summary>A source's loop struct: <c>InputLoop</c>.</summary>
                public string? LoopType { get; set; }

                /// <summary>A source's loop struct as a local of <c>Process</c>: <c>inputLoop</c>.</summary>
                public string? LoopLocal { get; set; }

                /// <summary>The record a stage emits (a source's record parameter, a map's result, an aggregate's key and value): <c>words</c>, <c>pair</c>.</summary>
                public string? Local { get; set; }

                /// <summary>An aggregate's loop index at the batch boundary: <c>addIndex</c>.</summary>
                public string? Index { get; set; }

                /// <summary>A reduce's reference to a key's value, and whether the key was there: <c>addSlot</c>, <c>addExists</c>.</summary>
                public string? Slot { get; set; }

                /// <summary>See <see cref="Slot"/>.</summary>
                public string? Exists { get; set; }

                /// <summary>A deferred reduce's count of keys due, and the value a waiting key came with: <c>addDue</c>, <c>addValue</c>.</summary>
                public string? Due { get; set; }

                /// <summary>See <see cref="Due"/>.</summary>
                public string? Waited { get; set; }

                /// <summary>A sink's field for writing records as they are: <c>_outputRecords</c>.</summary>
                public string? Records { get; set; }

                /// <summary>A sink's Parquet columns, when the project references Compiled.Parquet: <c>_outputParquet</c>.</summary>
                public string? Parquet { get; set; }

                /// <summary>A source's method that pushes one record through its loop: <c>PushInput</c>.</summary>
                public string? Push { get; set; }

                /// <summary>A typed source's counters (for malformed lines): <c>_inputCounters</c>.</summary>
                public string? Counters { get; set; }

                /// <summary>A typed source's line, before parsing: <c>inputLine</c>.</summary>
                public string? Line { get; set; }

                /// <summary>A typed source's position in the line, where its next field starts: <c>inputAt</c>.</summary>
                public string? At { get; set; }

                /// <summary>A typed tuple source's field bytes: <c>inputField1</c>, ...</summary>
                public string[]? FieldSpans { get; set; }

                /// <summary>A typed tuple source's parsed fields: <c>inputValue1</c>, ...</summary>
                public string[]? FieldValues { get; set; }

                /// <summary>A windowed stage's state of the current batch, which the fused loop fills (the loop's copy of the window's <c>Current</c>): <c>_addBatch</c>.</summary>
                public string? Current { get; set; }

                /// <summary>A batch of a window of records, as the window emits it: <c>recentPart</c>.</summary>
                public string? Part { get; set; }

                /// <summary>A windowed stage's inverse function, as a struct the window type calls: <c>AddInverse</c>.</summary>
                public string? Inverse { get; set; }

                /// <summary>A windowed stage's filter, as a struct the window type calls: <c>AddFilter</c>.</summary>
                public string? Filter { get; set; }

                /// <summary>A [GroupByKey] stage's lists of the batch's values per key (<c>_groupValues</c>), or a session window's sessions.</summary>
                public string? Values { get; set; }

                /// <summary>An [UpdateStateByKey] stage's new state for a key, at the boundary: <c>totalState</c>.</summary>
                public string? Next { get; set; }

                /// <summary>A stateful stage's result before it is known to be there (a nullable): <c>trackResult</c>.</summary>
                public string? Result { get; set; }

                /// <summary>A join's key table and values of each side, and its locals.</summary>
                public string? Left { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? LeftValues { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? Right { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? RightValues { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? Key { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? Lefts { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? Rights { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? LeftValue { get; set; }

                /// <summary>See <see cref="Left"/>.</summary>
                public string? RightValue { get; set; }

                /// <summary>A whole-batch function's records in, their second stream, and its output buffer.</summary>
                public string? In { get; set; }

                /// <summary>See <see cref="In"/>.</summary>
                public string? OtherIn { get; set; }

                /// <summary>See <see cref="In"/>.</summary>
                public string? Out { get; set; }

                /// <summary>An [EventTime] stage's event time of the current record: <c>timestampMs</c>.</summary>
                public string? Time { get; set; }

                /// <summary>An event-time window, at the boundary: <c>countsWindow</c>.</summary>
                public string? Window { get; set; }

                /// <summary>The reduce of a session window or a window, as a struct the runtime type calls: <c>ClicksReducer</c>, <c>AddReduce</c>.</summary>
                public string? Reducer { get; set; }

                /// <summary>A stateful stage's function struct, through which its store calls the method: <c>TotalFunction</c>.</summary>
                public string? Function { get; set; }

                /// <summary>A stateful stage's job method that puts a key's initial state (for the test driver): <c>PutTotal</c>.</summary>
                public string? PutState { get; set; }

                /// <summary>A stateful stage's job method that lists its whole state (for the test driver): <c>TotalStates</c>.</summary>
                public string? Snapshot { get; set; }

                /// <summary>A stateful stage's initial (key, state) pair, in the job's constructor: <c>totalInitial</c>.</summary>
                public string? Initial { get; set; }

                /// <summary>A [MapWithState] stage's records kept by one more partition until the boundary: <c>_trackArrived</c>.</summary>
                public string? Arrived { get; set; }

                /// <summary>A [MapWithState] stage's method of the fused loop that maps one record and runs the stages below: <c>MapTrack</c>.</summary>
                public string? Replay { get; set; }

                /// <summary>The value that method maps (its key is <see cref="Key"/>): <c>trackValue</c>.</summary>
                public string? ArrivedValue { get; set; }

                /// <summary>A [MapWithState] stage's state kept in shards on partitions: the job's list of the shards' stores, <c>_trackShards</c>.</summary>
                public string? Shards { get; set; }

                /// <summary>Whether the job has spread its state over the shards: <c>_trackSpread</c>.</summary>
                public string? Spread { get; set; }

                /// <summary>One shard's store, at the boundary: <c>trackShard</c>.</summary>
                public string? Shard { get; set; }
            }

            private sealed partial class PipelineView
            {
                /// <summary>
                /// Every identifier the job declares comes from here, from one table per pipeline, so no two clash
                /// whatever the stages are called (<c>Count</c> and <c>count</c>, <c>Text</c> and the text buffer,
                /// <c>[Map] AddSlot</c> and the slot of <c>[ReduceByKey] Add</c>). Fixed names are reserved first;
                /// then each stage, in declaration order, gets the names made from its own name; then the helpers
                /// derived from those. A clash gets the next numeric suffix, so the common case reads as written.
                /// </summary>
                private static StageNames[] AllocateNames(PipelineModel model, string jobName, List<StageModel> replayed, bool parquet)
                {
                    var table = new NameTable();
                    table.Reserve(model.Name);
                    table.Reserve(jobName);
                    foreach (string name in FixedNames)
                    {
                        table.Reserve(name);
                    }

                    var all = new StageNames[model.Stages.Count];
                    for (int i = 0; i < all.Length; i++)
                    {
                        StageModel stage = model.Stages[i];
                        string camel = LowerFirst(stage.Name);
                        var names = new StageNames();
                        switch (stage.Kind)
                        {
                            case StageKind.Source:
                                names.Framer = table.Allocate("_" + camel + "Framer");
                                names.LoopType = table.Allocate(stage.Name + "Loop");
                                names.Push = table.Allocate("Push" + stage.Name);
                                names.Local = table.Allocate(camel);
                                if (stage.Parse?.Record is not null)
                                {
                                    // A record source's reader, which keeps its counters too (a typed source's refusal point counts its lines).
                                    names.Counters = table.Allocate("_" + camel + "Reader");
                                }

                                break;
                            case StageKind.Map or StageKind.FlatMap:
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.ReduceByKey or StageKind.CountByValue:
                                names.Field = table.Allocate("_" + camel);
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.Sink:
                                names.Field = table.Allocate("_" + camel);
                                names.Records = table.Allocate("_" + camel + "Records");
                                names.Parquet = parquet ? table.Allocate("_" + camel + "Parquet") : null;
                                break;
                            case StageKind.Count or StageKind.Reduce or StageKind.CombineByKey:
                                names.Field = table.Allocate("_" + camel);
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.MapValues or StageKind.FlatMapValues:
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.GroupByKey:
                                names.Field = table.Allocate("_" + camel);
                                names.Values = table.Allocate("_" + camel + "Values");
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin or StageKind.Cogroup:
                                names.Left = table.Allocate("_" + camel + "Left");
                                names.LeftValues = table.Allocate("_" + camel + "LeftValues");
                                names.Right = table.Allocate("_" + camel + "Right");
                                names.RightValues = table.Allocate("_" + camel + "RightValues");
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.Transform or StageKind.TransformWith or StageKind.ForEachBatch:
                                names.In = table.Allocate("_" + camel + "In");
                                if (stage.Kind == StageKind.TransformWith)
                                {
                                    names.OtherIn = table.Allocate("_" + camel + "Other");
                                }

                                if (stage.Kind != StageKind.ForEachBatch)
                                {
                                    names.Out = table.Allocate("_" + camel + "Out");
                                    names.Local = table.Allocate(camel);
                                }

                                break;
                            case StageKind.EventTime:
                                names.Field = table.Allocate("_" + camel + "Watermark");
                                names.Time = table.Allocate(camel + "Ms");
                                break;
                            case StageKind.EventWindow:
                                names.Field = table.Allocate("_" + camel);
                                names.Reducer = UsesPanes(stage) ? table.Allocate(stage.Name + "Reducer") : null;
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.SessionWindow:
                                names.Field = table.Allocate("_" + camel);
                                names.Reducer = table.Allocate(stage.Name + "Reducer");
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.UpdateStateByKey or StageKind.MapWithState:
                                names.Field = table.Allocate("_" + camel);
                                names.Function = table.Allocate(stage.Name + "Function");
                                names.PutState = table.Allocate("Put" + stage.Name);
                                names.Snapshot = table.Allocate(stage.Name + "States");
                                names.Local = table.Allocate(camel);
                                if (stage.Kind == StageKind.MapWithState)
                                {
                                    names.Arrived = table.Allocate("_" + camel + "Arrived");
                                    names.Replay = table.Allocate("Map" + stage.Name);
                                    names.Shards = table.Allocate("_" + camel + "Shards");
                                    names.Spread = table.Allocate("_" + camel + "Spread");
                                }

                                break;
                            case StageKind.Union when replayed.Contains(stage):
                                names.Field = table.Allocate("_" + camel + "Second");
                                names.Local = table.Allocate(camel);
                                break;
                            case StageKind.Window or StageKind.ReduceByKeyAndWindow or StageKind.ReduceByWindow or StageKind.CountByWindow or StageKind.CountByValueAndWindow:
                                names.Field = table.Allocate("_" + camel + "Window");
                                names.Current = table.Allocate("_" + camel + "Batch");
                                if (stage.Kind is StageKind.ReduceByKeyAndWindow or StageKind.ReduceByWindow)
                                {
                                    names.Reducer = table.Allocate(stage.Name + "Reduce");
                                    if (stage.Window?.Inverse is not null)
                                    {
                                        names.Inverse = table.Allocate(stage.Name + "Inverse");
                                    }

                                    if (stage.Window?.Filter is not null)
                                    {
                                        names.Filter = table.Allocate(stage.Name + "Filter");
                                    }
                                }

                                names.Local = table.Allocate(camel);
                                break;
                        }

                        if (stage.OnError is not null && stage.Kind != StageKind.Source)
                        {
                            names.Guard = table.Allocate("_" + camel + "Guard");
                        }
                        else if (stage.Kind == StageKind.Source && NeedsBadRecords(model, stage))
                        {
                            names.BadRecords = table.Allocate("_" + camel + "BadRecords");
                        }

                        all[i] = names;
                    }

                    // Helpers are named after the record they serve (count2Slot goes with count2).
                    for (int i = 0; i < all.Length; i++)
                    {
                        StageNames names = all[i];
                        string local = names.Local is null ? "" : names.Local.TrimStart('@');
                        if (names.Guard is not null)
                        {
                            string camel = LowerFirst(model.Stages[i].Name);
                            names.Error = table.Allocate(camel + "Error");
                            names.Flag = table.Allocate(camel + (model.Stages[i].Kind switch { StageKind.Filter => "Passed", StageKind.FlatMap or StageKind.FlatMapValues => "Inside", _ => "Done" }));
                        }

                        switch (model.Stages[i].Kind)
                        {
                            case StageKind.Source:
                                names.LoopLocal = table.Allocate(local + "Loop");
                                if (model.Stages[i].Parse is { } parse)
                                {
                                    names.Line = table.Allocate(local + "Line");
                                    names.At = table.Allocate(local + "At");
                                    if (parse.IsTuple)
                                    {
                                        names.FieldSpans = Enumerable.Range(1, parse.Fields.Count).Select(f => table.Allocate(local + "Field" + f)).ToArray();
                                        names.FieldValues = Enumerable.Range(1, parse.Fields.Count).Select(f => table.Allocate(local + "Value" + f)).ToArray();
                                    }
                                }

                                break;
                            case StageKind.ReduceByKey or StageKind.CombineByKey or StageKind.CountByValue:
                                names.Index = table.Allocate(local + "Index");
                                names.Slot = table.Allocate(local + "Slot");
                                names.Exists = table.Allocate(local + "Exists");
                                if (model.Stages[i].Kind != StageKind.CombineByKey)
                                {
                                    // A reduce's or a count's keys may wait in its table (DefersReduce).
                                    names.Due = table.Allocate(local + "Due");
                                    names.Waited = table.Allocate(local + (model.Stages[i].Kind == StageKind.CountByValue ? "Count" : "Value"));
                                }

                                break;
                            case StageKind.GroupByKey:
                            case StageKind.Union when names.Field is not null:
                                names.Index = table.Allocate(local + "Index");
                                break;
                            case StageKind.EventWindow:
                                names.Part = table.Allocate(local + "Table");
                                names.Slot = table.Allocate(local + "Slot");
                                names.Exists = table.Allocate(local + "Exists");
                                names.Window = table.Allocate(local + "Window");
                                names.Index = table.Allocate(local + "Index");
                                break;
                            case StageKind.FlatMapValues:
                                names.Result = table.Allocate(local + "Value");
                                break;
                            case StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin or StageKind.Cogroup:
                                names.Index = table.Allocate(local + "Index");
                                names.Key = table.Allocate(local + "Key");
                                names.Lefts = table.Allocate(local + "Lefts");
                                names.Rights = table.Allocate(local + "Rights");
                                names.LeftValue = table.Allocate(local + "Left");
                                names.RightValue = table.Allocate(local + "Right");
                                names.Slot = table.Allocate(local + "Match");
                                break;
                            case StageKind.UpdateStateByKey or StageKind.MapWithState:
                                names.Key = table.Allocate(local + "Key");
                                names.Next = table.Allocate(local + "State");
                                names.Result = table.Allocate(local + "Result");
                                names.Initial = table.Allocate(local + "Initial");
                                names.ArrivedValue = model.Stages[i].Kind == StageKind.MapWithState ? table.Allocate(local + "Value") : null;
                                names.Shard = model.Stages[i].Kind == StageKind.MapWithState ? table.Allocate(local + "Shard") : null;
                                break;
                            case StageKind.Window or StageKind.ReduceByKeyAndWindow or StageKind.ReduceByWindow or StageKind.CountByWindow or StageKind.CountByValueAndWindow:
                                names.Index = table.Allocate(local + "Index");
                                names.Slot = table.Allocate(local + "Slot");
                                names.Exists = table.Allocate(local + "Exists");
                                names.Part = table.Allocate(local + "Part");
                                break;
                        }
                    }

                    return all;
                }
            }
        }
    }
}

using System.Collections.Generic;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    /// <summary>Metadata names of the runtime types the generator looks for; <see cref="KnownTypes"/> finds their symbols.</summary>
    internal static class KnownNames
    {
        public const string PipelineAttribute = "Compiled.PipelineAttribute";

        /// <summary>Every stage attribute with the kind of stage it declares, in the order they are checked.</summary>
        public static readonly KeyValuePair<string, StageKind>[] StageKinds =
        {
            new("Compiled.SourceAttribute", StageKind.Source),
            new("Compiled.MapAttribute", StageKind.Map),
            new("Compiled.FilterAttribute", StageKind.Filter),
            new("Compiled.FlatMapAttribute", StageKind.FlatMap),
            new("Compiled.ReduceByKeyAttribute", StageKind.ReduceByKey),
            new("Compiled.CountByValueAttribute", StageKind.CountByValue),
            new("Compiled.SinkAttribute", StageKind.Sink),
            new("Compiled.WindowAttribute", StageKind.Window),
            new("Compiled.ReduceByKeyAndWindowAttribute", StageKind.ReduceByKeyAndWindow),
            new("Compiled.ReduceByWindowAttribute", StageKind.ReduceByWindow),
            new("Compiled.CountByWindowAttribute", StageKind.CountByWindow),
            new("Compiled.CountByValueAndWindowAttribute", StageKind.CountByValueAndWindow),
            new("Compiled.UpdateStateByKeyAttribute", StageKind.UpdateStateByKey),
            new("Compiled.MapWithStateAttribute", StageKind.MapWithState),
            new("Compiled.CountAttribute", StageKind.Count),
            new("Compiled.ReduceAttribute", StageKind.Reduce),
            new("Compiled.MapValuesAttribute", StageKind.MapValues),
            new("Compiled.FlatMapValuesAttribute", StageKind.FlatMapValues),
            new("Compiled.GroupByKeyAttribute", StageKind.GroupByKey),
            new("Compiled.CombineByKeyAttribute", StageKind.CombineByKey),
            new("Compiled.UnionAttribute", StageKind.Union),
            new("Compiled.JoinAttribute", StageKind.Join),
            new("Compiled.LeftOuterJoinAttribute", StageKind.LeftOuterJoin),
            new("Compiled.RightOuterJoinAttribute", StageKind.RightOuterJoin),
            new("Compiled.FullOuterJoinAttribute", StageKind.FullOuterJoin),
            new("Compiled.CogroupAttribute", StageKind.Cogroup),
            new("Compiled.TransformAttribute", StageKind.Transform),
            new("Compiled.TransformWithAttribute", StageKind.TransformWith),
            new("Compiled.ForEachBatchAttribute", StageKind.ForEachBatch),
            new("Compiled.EventTimeAttribute", StageKind.EventTime),
            new("Compiled.EventWindowAttribute", StageKind.EventWindow),
            new("Compiled.SessionWindowAttribute", StageKind.SessionWindow),
        };
    }
}

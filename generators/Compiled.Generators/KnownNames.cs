namespace Compiled.Generators
{
    /// <summary>Metadata names of the runtime types the generator looks for.</summary>
    internal static class KnownNames
    {
        public const string PipelineAttribute = "Compiled.PipelineAttribute";
        public const string SourceAttribute = "Compiled.SourceAttribute";
        public const string SinkAttribute = "Compiled.SinkAttribute";
        public const string MapAttribute = "Compiled.MapAttribute";
        public const string FilterAttribute = "Compiled.FilterAttribute";
        public const string FlatMapAttribute = "Compiled.FlatMapAttribute";
        public const string ReduceByKeyAttribute = "Compiled.ReduceByKeyAttribute";
        public const string CountByValueAttribute = "Compiled.CountByValueAttribute";
        public const string WindowAttribute = "Compiled.WindowAttribute";
        public const string ReduceByKeyAndWindowAttribute = "Compiled.ReduceByKeyAndWindowAttribute";
        public const string ReduceByWindowAttribute = "Compiled.ReduceByWindowAttribute";
        public const string CountByWindowAttribute = "Compiled.CountByWindowAttribute";
        public const string CountByValueAndWindowAttribute = "Compiled.CountByValueAndWindowAttribute";
        public const string UpdateStateByKeyAttribute = "Compiled.UpdateStateByKeyAttribute";
        public const string MapWithStateAttribute = "Compiled.MapWithStateAttribute";
        public const string State = "Compiled.State<TState>";
        public const string CountAttribute = "Compiled.CountAttribute";
        public const string ReduceAttribute = "Compiled.ReduceAttribute";
        public const string MapValuesAttribute = "Compiled.MapValuesAttribute";
        public const string FlatMapValuesAttribute = "Compiled.FlatMapValuesAttribute";
        public const string GroupByKeyAttribute = "Compiled.GroupByKeyAttribute";
        public const string CombineByKeyAttribute = "Compiled.CombineByKeyAttribute";
        public const string UnionAttribute = "Compiled.UnionAttribute";
        public const string JoinAttribute = "Compiled.JoinAttribute";
        public const string LeftOuterJoinAttribute = "Compiled.LeftOuterJoinAttribute";
        public const string RightOuterJoinAttribute = "Compiled.RightOuterJoinAttribute";
        public const string FullOuterJoinAttribute = "Compiled.FullOuterJoinAttribute";
        public const string CogroupAttribute = "Compiled.CogroupAttribute";
        public const string TransformAttribute = "Compiled.TransformAttribute";
        public const string TransformWithAttribute = "Compiled.TransformWithAttribute";
        public const string ForEachBatchAttribute = "Compiled.ForEachBatchAttribute";
        public const string Grouped1 = "Compiled.Grouped<TValue>";
        public const string Grouped2 = "Compiled.Grouped<TKey, TValue>";
        public const string RecordBuffer = "Compiled.RecordBuffer<T>";
        public const string EventTimeAttribute = "Compiled.EventTimeAttribute";
        public const string EventWindowAttribute = "Compiled.EventWindowAttribute";
        public const string SessionWindowAttribute = "Compiled.SessionWindowAttribute";

        /// <summary>Every stage attribute, in the order they are checked.</summary>
        public static readonly string[] StageAttributes =
        {
            SourceAttribute, MapAttribute, FilterAttribute, FlatMapAttribute, ReduceByKeyAttribute, CountByValueAttribute, SinkAttribute,
            WindowAttribute, ReduceByKeyAndWindowAttribute, ReduceByWindowAttribute, CountByWindowAttribute, CountByValueAndWindowAttribute,
            UpdateStateByKeyAttribute, MapWithStateAttribute,
            CountAttribute, ReduceAttribute, MapValuesAttribute, FlatMapValuesAttribute, GroupByKeyAttribute, CombineByKeyAttribute,
            UnionAttribute, JoinAttribute, LeftOuterJoinAttribute, RightOuterJoinAttribute, FullOuterJoinAttribute, CogroupAttribute,
            TransformAttribute, TransformWithAttribute, ForEachBatchAttribute,
            EventTimeAttribute, EventWindowAttribute, SessionWindowAttribute,
        };

        public const string Lines = "Compiled.Lines";
        public const string TypedLines = "Compiled.Lines<T>";
        public const string Utf8SpanParsable = "System.IUtf8SpanParsable<TSelf>";
        public const string KeyValue = "Compiled.KeyValue<TValue>";
        public const string ReadOnlySpan = "System.ReadOnlySpan<T>";
        public const string Utf8SpanFormattable = "System.IUtf8SpanFormattable";
        public const string Equatable = "System.IEquatable<T>";
    }
}

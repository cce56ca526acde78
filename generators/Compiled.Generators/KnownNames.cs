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

        /// <summary>Every stage attribute, in the order they are checked.</summary>
        public static readonly string[] StageAttributes =
        {
            SourceAttribute, MapAttribute, FilterAttribute, FlatMapAttribute, ReduceByKeyAttribute, CountByValueAttribute, SinkAttribute,
            WindowAttribute, ReduceByKeyAndWindowAttribute, ReduceByWindowAttribute, CountByWindowAttribute, CountByValueAndWindowAttribute,
            UpdateStateByKeyAttribute, MapWithStateAttribute,
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

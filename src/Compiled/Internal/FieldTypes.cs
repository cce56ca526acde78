// This file is compiled into both the runtime and the generator (netstandard2.0), so that the field types the
// generator accepts in a typed source (Lines<T>), the types its CMP0009 message lists, and the types Utf8Parse reads
// are one list.
namespace Compiled.Internal
{
    /// <summary>The types a field of a typed source's line may have.</summary>
    internal static class FieldTypes
    {
        /// <summary>
        /// The types <c>Utf8Parse</c> reads with an overload of its own, rather than through <c>IUtf8SpanParsable&lt;T&gt;</c>:
        /// each as its metadata name and as C# writes it.
        /// </summary>
        public static readonly string[][] OwnParsers =
        {
            new[] { "System.String", "string" },
            new[] { "System.DateTime", "DateTime" },
            new[] { "System.DateTimeOffset", "DateTimeOffset" },
        };

        /// <summary>Types of the core library that implement <c>IUtf8SpanParsable&lt;T&gt;</c>, named in messages as examples.</summary>
        public static readonly string[][] ParsableExamples =
        {
            new[] { "System.Int32", "int" },
            new[] { "System.Int64", "long" },
            new[] { "System.Double", "double" },
            new[] { "System.Decimal", "decimal" },
            new[] { "System.Guid", "Guid" },
        };

        /// <summary>What a field may be, for the message that refuses one: "string, DateTime or DateTimeOffset (ISO 8601), ...".</summary>
        public static string Usage()
        {
            var own = new string[OwnParsers.Length];
            for (int i = 0; i < own.Length; i++)
            {
                own[i] = OwnParsers[i][1];
            }

            var examples = new string[ParsableExamples.Length];
            for (int i = 0; i < examples.Length; i++)
            {
                examples[i] = ParsableExamples[i][1];
            }

            return string.Join(", ", own, 0, own.Length - 1) + " or " + own[own.Length - 1] + " (dates and times in ISO 8601)"
                + ", a type that implements IUtf8SpanParsable<T> (" + string.Join(", ", examples) + ", or your own)";
        }
    }
}

using Compiled;

// A pipeline nested in another type, in the global namespace, with a flatMap over a user's struct
// enumerable and a bool record, printed as Scala prints it.
public partial class Jobs
{
    [Pipeline]
    public partial class Lengths
    {
        [Source(Default = "stdin:")]
        public static partial Lines Input();

        [Map]
        public static int Length(ReadOnlySpan<byte> line) => line.Length;

        [FlatMap]
        public static Span Around(int length) => new(length);

        [Map]
        public static bool IsEven(int value) => value % 2 == 0;

        [Sink(Default = "console")]
        public static partial void Output(bool even);
    }

    /// <summary>A struct enumerable of three numbers around a value.</summary>
    public readonly struct Span(int center)
    {
        public Enumerator GetEnumerator() => new(center - 1);

        public struct Enumerator(int start)
        {
            private int _next = start - 1;

            public readonly int Current => _next;

            public bool MoveNext() => ++_next <= start + 2;
        }
    }
}

// Versions of one pipeline, as a user edits it between two deploys: each namespace holds the pipeline "Totals" as one
// version of the code declares it. The layout tests take a checkpoint with the original and resume it with another.
namespace Compiled.Tests.Checkpoints.Original
{
    /// <summary>A running total per word and a three-second window of counts per word.</summary>
    [Pipeline(BatchInterval = "1s")]
    public static partial class Totals
    {
        [Source]
        public static partial Lines Input();

        [Filter]
        public static bool NotEmpty(ReadOnlySpan<byte> line) => !line.IsEmpty;

        [Map]
        public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

        [UpdateStateByKey]
        public static long? Total(ReadOnlySpan<long> values, long? state)
        {
            long sum = state ?? 0;
            foreach (long value in values)
            {
                sum += value;
            }

            return sum;
        }

        [Sink]
        public static partial void Totalled(ReadOnlySpan<byte> word, long total);

        [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s")]
        public static long Recent(long a, long b) => a + b;

        [Sink]
        public static partial void Windowed(ReadOnlySpan<byte> word, long count);
    }
}

namespace Compiled.Tests.Checkpoints.StatelessChange
{
    /// <summary>The original with a filter's body changed and a stateless stage added: the state is the same.</summary>
    [Pipeline(BatchInterval = "1s")]
    public static partial class Totals
    {
        [Source]
        public static partial Lines Input();

        [Filter]
        public static bool NotEmpty(ReadOnlySpan<byte> line) => line.Length > 0 && line[0] != (byte)'#';

        [Map]
        public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.Trim((byte)' ');

        [Map]
        public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

        [UpdateStateByKey]
        public static long? Total(ReadOnlySpan<long> values, long? state)
        {
            long sum = state ?? 0;
            foreach (long value in values)
            {
                sum += value;
            }

            return sum;
        }

        [Sink]
        public static partial void Totalled(ReadOnlySpan<byte> word, long total);

        [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s")]
        public static long Recent(long a, long b) => a + b;

        [Sink]
        public static partial void Windowed(ReadOnlySpan<byte> word, long count);
    }
}

namespace Compiled.Tests.Checkpoints.StateTypeChange
{
    /// <summary>The original with the running total kept as an int.</summary>
    [Pipeline(BatchInterval = "1s")]
    public static partial class Totals
    {
        [Source]
        public static partial Lines Input();

        [Map]
        public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

        [UpdateStateByKey]
        public static int? Total(ReadOnlySpan<long> values, int? state)
        {
            int sum = state ?? 0;
            foreach (long value in values)
            {
                sum += (int)value;
            }

            return sum;
        }

        [Sink]
        public static partial void Totalled(ReadOnlySpan<byte> word, int total);

        [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s")]
        public static long Recent(long a, long b) => a + b;

        [Sink]
        public static partial void Windowed(ReadOnlySpan<byte> word, long count);
    }
}

namespace Compiled.Tests.Checkpoints.LongerWindow
{
    /// <summary>The original with a four-second window.</summary>
    [Pipeline(BatchInterval = "1s")]
    public static partial class Totals
    {
        [Source]
        public static partial Lines Input();

        [Map]
        public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

        [UpdateStateByKey]
        public static long? Total(ReadOnlySpan<long> values, long? state)
        {
            long sum = state ?? 0;
            foreach (long value in values)
            {
                sum += value;
            }

            return sum;
        }

        [Sink]
        public static partial void Totalled(ReadOnlySpan<byte> word, long total);

        [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s")]
        public static long Recent(long a, long b) => a + b;

        [Sink]
        public static partial void Windowed(ReadOnlySpan<byte> word, long count);
    }
}

namespace Compiled.Tests.Checkpoints.Renamed
{
    /// <summary>The original with the running total's method renamed.</summary>
    [Pipeline(BatchInterval = "1s")]
    public static partial class Totals
    {
        [Source]
        public static partial Lines Input();

        [Map]
        public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

        [UpdateStateByKey]
        public static long? RunningTotal(ReadOnlySpan<long> values, long? state)
        {
            long sum = state ?? 0;
            foreach (long value in values)
            {
                sum += value;
            }

            return sum;
        }

        [Sink]
        public static partial void Totalled(ReadOnlySpan<byte> word, long total);

        [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s")]
        public static long Recent(long a, long b) => a + b;

        [Sink]
        public static partial void Windowed(ReadOnlySpan<byte> word, long count);
    }
}

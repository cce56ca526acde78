using System.Globalization;
using System.Text;
using Compiled.Keys;
using Compiled.Tests.Framing;
using Compiled.Windows;

namespace Compiled.Tests.Windows.Runtime;

/// <summary>
/// Each window type allocates nothing per batch once warm: batches of the same 300 keys (each batch a different
/// third of them missing, so each batch table differs from the last), through windows of 4 batches sliding every 2,
/// from a first batch number that is not a multiple of the slide.
/// </summary>
public class WindowTypeAllocationTests
{
    private const int Keys = 300;
    private const int MeasuredBatches = 60;
    private static readonly byte[][] ByteKeys = Enumerable.Range(0, Keys).Select(k => Encoding.ASCII.GetBytes("key-" + k.ToString(CultureInfo.InvariantCulture))).ToArray();

    [Fact]
    public void KeyedWindows_AllocateNothingPerBatch()
    {
        var merged = new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(4, 2);
        var incremental = new IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, NonZeroCount<ReadOnlySpan<byte>>>(4, 2);
        var structMerged = new KeyedWindow<int, long, StructKeys<int, long>, AddCounts>(4, 2);
        var structIncremental = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, NonZeroCount<int>>(4, 2);
        long batch = 1_764_000_001;
        long emitted = 0;
        void Run()
        {
            for (int i = 0; i < MeasuredBatches; i++, batch++)
            {
                for (int k = 0; k < Keys; k++)
                {
                    if (k % 3 == batch % 3)
                    {
                        continue;
                    }

                    merged.Current.Table.GetValueRefOrAddDefault(ByteKeys[k], out _)++;
                    incremental.Current.Table.GetValueRefOrAddDefault(ByteKeys[k], out _)++;
                    structMerged.Current.Table.GetValueRefOrAddDefault(k, out _)++;
                    structIncremental.Current.Table.GetValueRefOrAddDefault(k, out _)++;
                }

                if (merged.Advance(batch))
                {
                    emitted += merged.Count;
                }

                if (incremental.Advance(batch))
                {
                    emitted += incremental.Count;
                }

                if (structMerged.Advance(batch))
                {
                    emitted += structMerged.Count;
                }

                if (structIncremental.Advance(batch))
                {
                    emitted += structIncremental.Count;
                }
            }
        }

        Run();
        long least = AllocationMeter.LeastAllocated(Run);
        Assert.Equal(4 * Keys * (5 * MeasuredBatches / 2), emitted); // every key in every window, at every other batch
        Assert.True(least == 0, $"{MeasuredBatches} batches of {Keys} keys through the keyed windows allocated {least} bytes; a window must allocate nothing per batch once its keys are known.");
    }

    [Fact]
    public void PartialAndRecordWindows_AllocateNothingPerBatch()
    {
        var reduced = new PartialWindow<long, AddCounts>(4, 2);
        var counted = new IncrementalPartialWindow<long, AddCounts, SubtractCounts>(4, 2);
        var records = new RecordWindow<ByteRecords>(4, 2);
        long batch = 1_764_000_001;
        long emitted = 0;
        void Run()
        {
            for (int i = 0; i < MeasuredBatches; i++, batch++)
            {
                for (int k = 0; k < Keys; k++)
                {
                    reduced.Current.Value += k;
                    reduced.Current.HasValue = true;
                    counted.Current.Value++;
                    counted.Current.HasValue = true;
                    records.Current.Add(ByteKeys[k]);
                }

                emitted += (reduced.Advance(batch) ? 1 : 0) + (counted.Advance(batch) ? 1 : 0);
                if (records.Advance(batch))
                {
                    foreach (ByteRecords part in records.Parts)
                    {
                        emitted += part.Count;
                    }
                }
            }
        }

        Run();
        long least = AllocationMeter.LeastAllocated(Run);
        Assert.Equal((5 * (MeasuredBatches / 2) * (2 + (4 * Keys))) - (2 * Keys), emitted); // the first window held 2 batches
        Assert.True(least == 0, $"{MeasuredBatches} batches of {Keys} records through the partial and record windows allocated {least} bytes; a window must allocate nothing per batch once warm.");
    }
}

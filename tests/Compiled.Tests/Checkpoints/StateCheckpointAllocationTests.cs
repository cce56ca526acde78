using System.Text;
using Compiled.Checkpoints;
using Compiled.Keys;
using Compiled.Windows;

namespace Compiled.Tests.Checkpoints;

/// <summary>
/// Writing a runtime type's state into a checkpoint allocates nothing once the writer's buffer and the type's shard
/// scratch have grown to its size: a job that checkpoints every batch adds no garbage per checkpoint.
/// </summary>
public class StateCheckpointAllocationTests
{
    private readonly struct Sum : IReducer<long>
    {
        public long Reduce(long a, long b) => a + b;
    }

    private static long Measure(CheckpointWriter writer, StateSections.Writes write) =>
        AllocationMeter.LeastAllocated(() =>
        {
            writer.Begin(CheckpointSamples.Header(1));
            var section = writer.BeginSection(StateSections.Name);
            write(ref section);
            section.End();
            writer.Complete();
        });

    [Fact]
    public void StateStores_WriteTheirCheckpoint_WithoutAllocating()
    {
        using var writer = new CheckpointWriter();
        var update = new UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, SumOrDrop>();
        var map = new MapWithStateStore<int, long, long, long, StructKeys<int, StateEntry<long>>, RunningTotal>(5);
        for (int key = 0; key < 50_000; key++)
        {
            update.Put(Encoding.ASCII.GetBytes("key-" + key), key);
            map.Put(key, key, updatedBatch: 3);
        }

        long updateAllocated = Measure(writer, update.WriteCheckpoint);
        Assert.True(updateAllocated == 0, $"an UpdateStateStore of 50,000 byte keys allocated {updateAllocated:N0} bytes per checkpoint");
        long mapAllocated = Measure(writer, map.WriteCheckpoint);
        Assert.True(mapAllocated == 0, $"a MapWithStateStore of 50,000 struct keys allocated {mapAllocated:N0} bytes per checkpoint");
    }

    [Fact]
    public void WindowsAndEventTimeState_WriteTheirCheckpoint_WithoutAllocating()
    {
        using var writer = new CheckpointWriter();
        var window = new IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<ReadOnlySpan<byte>, long>>(4, 1);
        var sessions = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        var set = new EventWindowSet<ByteKeyTable<long>>();
        var watermark = new Watermark(100, 3, 1000);
        for (long batch = 1; batch <= 6; batch++)
        {
            for (int key = 0; key < 2_000; key++)
            {
                byte[] bytes = Encoding.ASCII.GetBytes("key-" + ((key * batch) % 3_000));
                window.Current.Table.GetValueRefOrAddDefault(bytes, out _) += 1;
                sessions.Add<Sum>(bytes, (batch * 1000) + key, 500, 1);
                set.WindowOf((batch * 1000) + key, 2000).GetValueRefOrAddDefault(bytes, out _) += 1;
            }

            window.Advance(batch);
            watermark.Observe((int)(batch % 3), batch * 1000);
            watermark.Advance(batch * 1000, isLast: false);
        }

        Assert.Equal(0, Measure(writer, window.WriteCheckpoint));
        Assert.Equal(0, Measure(writer, sessions.WriteCheckpoint));
        Assert.Equal(0, Measure(writer, set.WriteCheckpoint));
        Assert.Equal(0, Measure(writer, watermark.WriteCheckpoint));
    }
}

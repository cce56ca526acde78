using System.Text;
using Compiled.Checkpoints;

namespace Compiled.Tests.Checkpoints;

/// <summary>A struct key as a stage keyed by (site, page) would hold it.</summary>
internal readonly record struct PageKey(int Site, long Page);

/// <summary>An unmanaged state value with mixed field sizes (and so padding).</summary>
internal record struct Totals(long Count, double Sum, byte Flags);

/// <summary>A state value that is not unmanaged: it writes itself through <see cref="ICheckpointValue{TSelf}"/>.</summary>
internal sealed record Visit(string Page, long Count, IReadOnlyList<long> Times) : ICheckpointValue<Visit>
{
    public static void WriteTo(in Visit value, ref CheckpointWriter.Section section)
    {
        section.WriteString(value.Page);
        section.WriteUnmanaged(value.Count);
        section.WriteCount((ulong)value.Times.Count);
        foreach (long time in value.Times)
        {
            section.WriteUnmanaged(time);
        }
    }

    public static Visit ReadFrom(ref CheckpointReader.Section section)
    {
        string page = section.ReadString();
        long count = section.ReadUnmanaged<long>();
        var times = new long[checked((int)section.ReadCount())];
        for (int i = 0; i < times.Length; i++)
        {
            times[i] = section.ReadUnmanaged<long>();
        }

        return new Visit(page, count, times);
    }

    public bool Equals(Visit? other) =>
        other is not null && Page == other.Page && Count == other.Count && Times.SequenceEqual(other.Times);

    public override int GetHashCode() => HashCode.Combine(Page, Count, Times.Count);
}

/// <summary>Builds the small checkpoints the tests take apart.</summary>
internal static class CheckpointSamples
{
    public const string Pipeline = "WordCount";
    public const ulong Fingerprint = 0x0123_4567_89AB_CDEFUL;

    // Batch k at k ms: the directory names files by batch time, so the samples' files are checkpoint-k.
    public static CheckpointHeader Header(long batch) => new(Pipeline, Fingerprint, batch, batch);

    /// <summary>A complete small checkpoint: a keyed section of byte keys and one of source positions.</summary>
    public static byte[] Small(long batch = 7, string pipeline = Pipeline)
    {
        using var writer = new CheckpointWriter();
        writer.Begin(Header(batch) with { PipelineName = pipeline });
        var counts = writer.BeginSection("Count");
        counts.BeginShards(2);
        counts.BeginShard(2);
        counts.WriteKey("apple"u8);
        counts.WriteUnmanaged(3L);
        counts.WriteKey("pear"u8);
        counts.WriteUnmanaged(5L);
        counts.BeginShard(1);
        counts.WriteKey("fig"u8);
        counts.WriteUnmanaged(1L);
        counts.End();
        var positions = writer.BeginSection("$sources");
        positions.WriteString("file:///data/in.txt");
        positions.WriteUnmanaged(4096L);
        positions.End();
        return writer.Complete().ToArray();
    }

    /// <summary>Reads <see cref="Small"/>'s keyed section back into a dictionary.</summary>
    public static Dictionary<string, long> ReadCounts(CheckpointReader reader)
    {
        var counts = new Dictionary<string, long>();
        var section = reader.GetSection("Count");
        section.BeginShards();
        while (section.MoveNextEntry())
        {
            string key = Encoding.UTF8.GetString(section.ReadKey());
            counts.Add(key, section.ReadUnmanaged<long>());
        }

        section.End();
        return counts;
    }
}

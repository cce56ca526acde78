using System.Text;
using Compiled.Checkpoints;

namespace Compiled.Tests.Checkpoints;

/// <summary>What a checkpoint file holds comes back as it was written.</summary>
public class CheckpointFormatTests
{
    [Fact]
    public void Header_RoundTrips()
    {
        var header = new CheckpointHeader("Wörter-Zählung", 0xFEDC_BA98_7654_3210UL, 123_456_789, 1_764_950_400_123);
        using var writer = new CheckpointWriter();
        writer.Begin(header);
        byte[] file = writer.Complete().ToArray();

        using var reader = CheckpointReader.FromBytes(file, "memory");
        Assert.Equal(header, reader.Header);
        Assert.Equal(1u, reader.FormatVersion);
        Assert.Empty(reader.SectionNames);
        Assert.Equal(file.Length, reader.Length);
    }

    [Fact]
    public void ByteKeys_UnmanagedValues_RoundTrip()
    {
        var expected = new Dictionary<string, long>();
        for (int i = 0; i < 5000; i++)
        {
            expected["word" + i] = i * 31L - 7;
        }

        // Keys longer than 127 bytes take a multi-byte length; one of 20,000 bytes takes three.
        expected[new string('k', 200)] = long.MaxValue;
        expected[new string('z', 20_000)] = long.MinValue;
        expected[""] = 42;

        using var writer = new CheckpointWriter(initialCapacity: 16);
        writer.Begin(CheckpointSamples.Header(1));
        var section = writer.BeginSection("Count");
        section.BeginShards(1);
        section.BeginShard(expected.Count);
        foreach (var (key, value) in expected)
        {
            section.WriteKey(Encoding.UTF8.GetBytes(key));
            section.WriteUnmanaged(value);
        }

        section.End();
        using var reader = CheckpointReader.FromBytes(writer.Complete().ToArray(), "memory");

        Assert.Equal(expected, CheckpointSamples.ReadCounts(reader));
    }

    [Fact]
    public void StructKeys_UnmanagedStructValues_RoundTrip()
    {
        var expected = new Dictionary<PageKey, Totals>();
        for (int i = 0; i < 1000; i++)
        {
            expected[new PageKey(i % 7, i * 1_000_003L)] = new Totals(i, i / 3.0, (byte)i);
        }

        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(2));
        var section = writer.BeginSection("Pages");
        section.BeginShards(1);
        section.BeginShard(expected.Count);
        foreach (var (key, value) in expected)
        {
            section.WriteKey(key);
            section.WriteUnmanaged(value);
        }

        section.End();
        using var reader = CheckpointReader.FromBytes(writer.Complete().ToArray(), "memory");

        var actual = new Dictionary<PageKey, Totals>();
        var read = reader.GetSection("Pages");
        Assert.Equal(1, read.BeginShards());
        while (read.MoveNextEntry())
        {
            actual.Add(read.ReadKey<PageKey>(), read.ReadUnmanaged<Totals>());
        }

        read.End();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void CheckpointValueType_RoundTrips()
    {
        var expected = new Dictionary<string, Visit>
        {
            ["alice"] = new("/index.html", 3, [10, 20, 30]),
            ["bob"] = new("", 0, []),
            ["carol"] = new("/ä/ö/ü", -1, [long.MinValue, long.MaxValue]),
        };

        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(3));
        var section = writer.BeginSection("Visits");
        section.BeginShards(1);
        section.BeginShard(expected.Count);
        foreach (var (key, value) in expected)
        {
            section.WriteKey(Encoding.UTF8.GetBytes(key));
            section.WriteValue(value);
        }

        section.End();
        using var reader = CheckpointReader.FromBytes(writer.Complete().ToArray(), "memory");

        var actual = new Dictionary<string, Visit>();
        var read = reader.GetSection("Visits");
        read.BeginShards();
        while (read.MoveNextEntry())
        {
            string key = Encoding.UTF8.GetString(read.ReadKey());
            actual.Add(key, read.ReadValue<Visit>());
        }

        read.End();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void EmptySections_RoundTrip()
    {
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(4));
        writer.BeginSection("nothing").End();
        var noShards = writer.BeginSection("no shards");
        noShards.BeginShards(0);
        noShards.End();
        var emptyShards = writer.BeginSection("empty shards");
        emptyShards.BeginShards(3);
        emptyShards.BeginShard(0);
        emptyShards.BeginShard(0);
        emptyShards.BeginShard(0);
        emptyShards.End();
        using var reader = CheckpointReader.FromBytes(writer.Complete().ToArray(), "memory");

        Assert.Equal(["nothing", "no shards", "empty shards"], reader.SectionNames);
        var nothing = reader.GetSection("nothing");
        Assert.Equal(0, nothing.Length);
        nothing.End();
        var none = reader.GetSection("no shards");
        Assert.Equal(0, none.BeginShards());
        Assert.False(none.MoveNextEntry());
        none.End();
        var empty = reader.GetSection("empty shards");
        Assert.Equal(3, empty.BeginShards());
        Assert.False(empty.MoveNextEntry());
        empty.End();
    }

    [Fact]
    public void ManySections_AreFoundByName_InAnyOrder()
    {
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(5));
        for (int i = 0; i < 300; i++)
        {
            var section = writer.BeginSection("stage" + i);
            section.WriteUnmanaged(i);
            section.WriteString(new string('x', i));
            section.End();
        }

        using var reader = CheckpointReader.FromBytes(writer.Complete().ToArray(), "memory");

        Assert.Equal(300, reader.SectionNames.Count);
        for (int i = 299; i >= 0; i--)
        {
            var section = reader.GetSection("stage" + i);
            Assert.Equal(i, section.ReadUnmanaged<int>());
            Assert.Equal(new string('x', i), section.ReadString());
            section.End();
        }

        Assert.False(reader.TryGetSection("stage300", out _));
    }

    [Fact]
    public void MissingSection_IsReportedWithTheSectionsTheFileHas()
    {
        using var reader = CheckpointReader.FromBytes(CheckpointSamples.Small(), "memory");
        var e = Assert.Throws<CheckpointCorruptException>(() => reader.GetSection("Sessions"));
        Assert.Equal(CheckpointProblem.MissingSection, e.Problem);
        Assert.Contains("no section 'Sessions'", e.Message);
        Assert.Contains("Count, $sources", e.Message);
    }

    [Fact]
    public void ReadingPastASectionsEnd_OrNotToIt_IsALayoutMismatch()
    {
        using var reader = CheckpointReader.FromBytes(CheckpointSamples.Small(), "memory");
        var positions = reader.GetSection("$sources");
        Assert.Equal("file:///data/in.txt", positions.ReadString());
        Assert.Equal(4096L, positions.ReadUnmanaged<long>());
        try
        {
            positions.ReadUnmanaged<long>();
            Assert.Fail("reading past the section's end did not throw");
        }
        catch (CheckpointCorruptException e)
        {
            Assert.Equal(CheckpointProblem.Malformed, e.Problem);
            Assert.Contains("section '$sources' is read past its end", e.Message);
        }

        var unread = reader.GetSection("$sources");
        unread.ReadString();
        try
        {
            unread.End();
            Assert.Fail("a section with bytes left passed End()");
        }
        catch (CheckpointCorruptException e)
        {
            Assert.Contains("8 of its", e.Message);
        }
    }

    [Fact]
    public void Writer_RefusesEntryCountsThatDisagreeWithTheShardHeader()
    {
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(1));
        var section = writer.BeginSection("Count");
        section.BeginShards(2);
        section.BeginShard(2);
        section.WriteKey("only one"u8);
        section.WriteUnmanaged(1L);
        string? fewer = null;
        try
        {
            section.BeginShard(0);
        }
        catch (InvalidOperationException e)
        {
            fewer = e.Message;
        }

        Assert.Equal("Shard 0 of section 'Count' announced 2 entries but 1 keys were written.", fewer);

        writer.Begin(CheckpointSamples.Header(1));
        var other = writer.BeginSection("Other");
        other.BeginShards(2);
        other.BeginShard(0);
        string? missingShard = null;
        try
        {
            other.End();
        }
        catch (InvalidOperationException e)
        {
            missingShard = e.Message;
        }

        Assert.Equal("Section 'Other' announced 2 shards but began 1; begin every announced shard, even an empty one.", missingShard);
    }

    [Fact]
    public void Writer_RefusesDuplicateSectionNames()
    {
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(1));
        writer.BeginSection("Count").End();
        var e = Assert.Throws<ArgumentException>(() => writer.BeginSection("Count"));
        Assert.Contains("already has a section named 'Count'", e.Message);
    }

    [Fact]
    public void Writer_IsReusable_EachCheckpointIndependentOfTheLast()
    {
        using var writer = new CheckpointWriter();
        byte[] first = Write(writer, 1, 1000);
        byte[] second = Write(writer, 2, 3);

        using var a = CheckpointReader.FromBytes(first, "first");
        using var b = CheckpointReader.FromBytes(second, "second");
        Assert.Equal(1000, CheckpointSamples.ReadCounts(a).Count);
        Assert.Equal(3, CheckpointSamples.ReadCounts(b).Count);
        Assert.Equal(2, b.Header.BatchNumber);

        static byte[] Write(CheckpointWriter writer, long batch, int keys)
        {
            writer.Begin(CheckpointSamples.Header(batch));
            var section = writer.BeginSection("Count");
            section.BeginShards(1);
            section.BeginShard(keys);
            for (int i = 0; i < keys; i++)
            {
                section.WriteKey(Encoding.UTF8.GetBytes("k" + i));
                section.WriteUnmanaged((long)i);
            }

            section.End();
            return writer.Complete().ToArray();
        }
    }

    [Fact]
    public void Format_IsCompact_NoPerEntryOverheadBeyondTheKeyLength()
    {
        // 1,000 entries of a 4-byte key and an 8-byte value: 1 length byte + 4 + 8 = 13 bytes each.
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(1));
        writer.BeginSection("Count").End();
        int empty = writer.Complete().Length;

        writer.Begin(CheckpointSamples.Header(1));
        var section = writer.BeginSection("Count");
        section.BeginShards(1);
        section.BeginShard(1000);
        for (int i = 0; i < 1000; i++)
        {
            section.WriteKey(BitConverter.GetBytes(i));
            section.WriteUnmanaged((long)i);
        }

        section.End();
        int full = writer.Complete().Length;

        // The shard count takes 1 byte and the entry count 2 (1000 needs a two-byte varint).
        Assert.Equal(empty + 1 + 2 + 1000 * 13, full);
    }
}

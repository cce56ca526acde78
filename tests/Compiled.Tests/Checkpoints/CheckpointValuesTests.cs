using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Tests.Checkpoints;

/// <summary>A struct with references that writes itself; also kept as a nullable.</summary>
internal readonly record struct Tagged(string Tag, long Count) : ICheckpointValue<Tagged>
{
    public static void WriteTo(in Tagged value, ref CheckpointWriter.Section section)
    {
        section.WriteString(value.Tag);
        section.WriteUnmanaged(value.Count);
    }

    public static Tagged ReadFrom(ref CheckpointReader.Section section) => new(section.ReadString(), section.ReadUnmanaged<long>());
}

/// <summary>An unmanaged struct with its own codec (a varint), which takes precedence over its bytes once registered.</summary>
internal readonly record struct Compact(long Value) : ICheckpointValue<Compact>
{
    public static void WriteTo(in Compact value, ref CheckpointWriter.Section section) => section.WriteCount((ulong)value.Value);

    public static Compact ReadFrom(ref CheckpointReader.Section section) => new((long)section.ReadCount());
}

/// <summary>A struct with references that does not write itself.</summary>
internal readonly record struct Unwritable(string Name);

/// <summary>Only registered from many threads at once.</summary>
internal sealed record RaceRegistered(string Name) : ICheckpointValue<RaceRegistered>
{
    public static void WriteTo(in RaceRegistered value, ref CheckpointWriter.Section section) => section.WriteString(value.Name);

    public static RaceRegistered ReadFrom(ref CheckpointReader.Section section) => new(section.ReadString());
}

/// <summary>
/// <see cref="CheckpointValues{T}"/>: values without references as their bytes (the same bytes WriteUnmanaged and WriteKey
/// write), registered types through their codec, nullables of both, and a clear refusal of anything else.
/// </summary>
public class CheckpointValuesTests
{
    private static T RoundTrip<T>(T value)
    {
        byte[] file = StateSections.Write((ref CheckpointWriter.Section s) => CheckpointValues<T>.Write(in value, ref s));
        T read = default!;
        StateSections.Read(file, (ref CheckpointReader.Section s) => read = CheckpointValues<T>.Read(ref s));
        return read;
    }

    [Fact]
    public void ValuesWithoutReferences_AreTheirBytes_AndComeBackEqual()
    {
        var totals = new Totals(3, 4.5, 7);
        byte[] viaValues = StateSections.Payload(StateSections.Write((ref CheckpointWriter.Section s) => CheckpointValues<Totals>.Write(in totals, ref s)));
        byte[] viaUnmanaged = StateSections.Payload(StateSections.Write((ref CheckpointWriter.Section s) => s.WriteUnmanaged(totals)));
        Assert.Equal(viaUnmanaged, viaValues);
        Assert.Equal(totals, RoundTrip(totals));
        Assert.Equal(-5L, RoundTrip(-5L));
        Assert.Equal((byte)200, RoundTrip((byte)200));
        Assert.Equal((short)-2, RoundTrip((short)-2));
        Assert.Equal(new PageKey(3, long.MaxValue), RoundTrip(new PageKey(3, long.MaxValue)));
        Assert.Equal((1, 2L, (byte)3), RoundTrip((1, 2L, (byte)3)));
        Assert.True(CheckpointValues<Totals>.CanWrite);
        Assert.True(CheckpointValues<(int, long)>.CanWrite);
    }

    [Fact]
    public void NullablesWithoutReferences_KeepWhetherTheyHaveAValue()
    {
        Assert.Equal(17, RoundTrip<int?>(17));
        Assert.Null(RoundTrip<int?>(null));
        Assert.Equal(new Totals(1, 2, 3), RoundTrip<Totals?>(new Totals(1, 2, 3)));
        Assert.Null(RoundTrip<Totals?>(null));
    }

    [Fact]
    public void StructKeys_AreWrittenAsWriteKeyWritesThem()
    {
        var key = new PageKey(9, 12345);
        byte[] viaValues = StateSections.Payload(StateSections.Write((ref CheckpointWriter.Section s) =>
        {
            s.BeginShards(1);
            s.BeginShard(1);
            CheckpointValues<PageKey>.WriteKey(in key, ref s);
        }));
        byte[] viaWriteKey = StateSections.Payload(StateSections.Write((ref CheckpointWriter.Section s) =>
        {
            s.BeginShards(1);
            s.BeginShard(1);
            s.WriteKey(key);
        }));
        Assert.Equal(viaWriteKey, viaValues);

        byte[] file = StateSections.Write((ref CheckpointWriter.Section s) =>
        {
            s.BeginShards(1);
            s.BeginShard(1);
            CheckpointValues<PageKey>.WriteKey(in key, ref s);
        });
        PageKey read = default;
        StateSections.Read(file, (ref CheckpointReader.Section s) =>
        {
            s.BeginShards();
            Assert.True(s.MoveNextEntry());
            read = CheckpointValues<PageKey>.ReadKey(ref s);
            Assert.False(s.MoveNextEntry());
        });
        Assert.Equal(key, read);
    }

    [Fact]
    public void AStructKeyWithReferences_ThatIsRegistered_GoesThroughItsCodec_InKeyOrder()
    {
        CheckpointValues.Register<Tagged>();
        var table = StructKeys<Tagged, long>.Create();
        for (int i = 0; i < 40; i++)
        {
            table.GetOrAdd(new Tagged("t" + (i * 7 % 40), i)) = i * 10L;
        }

        int[]? scratch = null;
        byte[] file = StateSections.Write((ref CheckpointWriter.Section s) =>
            KeyedSections.Write<StructKeys<Tagged, long>, Tagged, long, PlainEntries<long>>(table, ref s, ref scratch));
        var read = default(StructKeys<Tagged, long>);
        StateSections.Read(file, (ref CheckpointReader.Section s) =>
            read = KeyedSections.Read<StructKeys<Tagged, long>, Tagged, long, PlainEntries<long>>(ref s));
        Assert.Equal(table.Count, read.Count);
        for (int i = 0; i < table.Count; i++)
        {
            Assert.Equal(table.KeyAt(i), read.KeyAt(i));
            Assert.Equal(table.ValueAt(i), read.ValueAt(i));
        }
    }

    [Fact]
    public void RegisteredTypes_GoThroughTheirCodec_ReferenceTypesMayBeNull()
    {
        CheckpointValues.Register<Visit>();
        CheckpointValues.Register<Visit>();
        Assert.True(CheckpointValues<Visit>.CanWrite);
        var visit = new Visit("/home", 3, [1, 2, 3]);
        Assert.Equal(visit, RoundTrip(visit));
        Assert.Null(RoundTrip<Visit?>(null));

        CheckpointValues.Register<Tagged>();
        Assert.Equal(new Tagged("a", 1), RoundTrip(new Tagged("a", 1)));
        Assert.True(CheckpointValues<Tagged?>.CanWrite);
        Assert.Equal(new Tagged("b", 2), RoundTrip<Tagged?>(new Tagged("b", 2)));
        Assert.Null(RoundTrip<Tagged?>(null));
    }

    [Fact]
    public void ARegisteredCodec_TakesPrecedenceOverTheBytes()
    {
        CheckpointValues.Register<Compact>();
        var value = new Compact(5);
        byte[] payload = StateSections.Payload(StateSections.Write((ref CheckpointWriter.Section s) => CheckpointValues<Compact>.Write(in value, ref s)));
        Assert.Equal([5], payload);
        Assert.Equal(value, RoundTrip(value));
    }

    [Fact]
    public void ATypeWithReferencesAndNoCodec_IsRefusedByName_WithTheFix()
    {
        Assert.False(CheckpointValues<Unwritable>.CanWrite);
        Assert.False(CheckpointValues<Unwritable?>.CanWrite);
        var error = Assert.Throws<NotSupportedException>(() =>
            StateSections.Write((ref CheckpointWriter.Section s) => CheckpointValues<Unwritable>.Write(new Unwritable("x"), ref s)));
        Assert.Contains(typeof(Unwritable).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("unmanaged struct", error.Message, StringComparison.Ordinal);
        Assert.Contains("ICheckpointValue<Unwritable>", error.Message, StringComparison.Ordinal);
        Assert.Contains("CheckpointValues.Register<Unwritable>()", error.Message, StringComparison.Ordinal);

        byte[] file = StateSections.Write((ref CheckpointWriter.Section s) => s.WriteUnmanaged(0L));
        var readError = Assert.Throws<NotSupportedException>(() =>
        {
            using var reader = CheckpointReader.FromBytes(file, "memory");
            var section = reader.GetSection(StateSections.Name);
            CheckpointValues<Unwritable?>.Read(ref section);
        });
        Assert.Contains(typeof(Unwritable).FullName!, readError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_FromManyThreadsAtOnce_RegistersOnce()
    {
        Assert.False(CheckpointValues<RaceRegistered>.CanWrite);
        Parallel.For(0, 64, _ => CheckpointValues.Register<RaceRegistered>());
        Assert.True(CheckpointValues<RaceRegistered>.CanWrite);
        Assert.Equal(new RaceRegistered("r"), RoundTrip(new RaceRegistered("r")));
    }

    [Fact]
    public void ANullFlagThatIsNeither0Nor1_IsMalformed()
    {
        CheckpointValues.Register<Visit>();
        byte[] file = StateSections.WithPayload([7]);
        using var reader = CheckpointReader.FromBytes(file, "memory");
        var error = Assert.Throws<CheckpointCorruptException>(() =>
        {
            var section = reader.GetSection(StateSections.Name);
            CheckpointValues<Visit>.Read(ref section);
        });
        Assert.Equal(CheckpointProblem.Malformed, error.Problem);
    }
}

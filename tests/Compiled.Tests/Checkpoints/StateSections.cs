using System.Buffers.Binary;
using Compiled.Checkpoints;

namespace Compiled.Tests.Checkpoints;

/// <summary>Writes one runtime type's state into a checkpoint section and reads it back, as a job's WriteState/ReadState do.</summary>
internal static class StateSections
{
    public const string Name = "state/Stage";

    public delegate void Writes(ref CheckpointWriter.Section section);

    public delegate void Reads(ref CheckpointReader.Section section);

    /// <summary>A whole checkpoint file holding one section that <paramref name="write"/> fills.</summary>
    public static byte[] Write(Writes write)
    {
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(1));
        var section = writer.BeginSection(Name);
        write(ref section);
        section.End();
        return writer.Complete().ToArray();
    }

    /// <summary>Reads the section of <paramref name="file"/> through <paramref name="read"/>, which must read it to its end.</summary>
    public static void Read(byte[] file, Reads read)
    {
        using var reader = CheckpointReader.FromBytes(file, "memory");
        var section = reader.GetSection(Name);
        read(ref section);
        section.End();
    }

    /// <summary>The payload of the section of <paramref name="file"/>, as written.</summary>
    public static byte[] Payload(byte[] file)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(Name);
        int at = file.AsSpan().IndexOf(name) + name.Length;
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at)));
        return file.AsSpan(at + 8, length).ToArray();
    }

    /// <summary>A checkpoint file whose section holds exactly <paramref name="payload"/> (valid checksums, any content).</summary>
    public static byte[] WithPayload(ReadOnlySpan<byte> payload)
    {
        byte[] bytes = payload.ToArray();
        return Write((ref CheckpointWriter.Section section) =>
        {
            foreach (byte b in bytes)
            {
                section.WriteUnmanaged(b);
            }
        });
    }

    /// <summary>
    /// Every cut of the section written by <paramref name="write"/> short of its end, read by a fresh instance through
    /// <paramref name="read"/>: each must throw <see cref="CheckpointCorruptException"/>, and <paramref name="isEmpty"/>
    /// must then hold of that instance (nothing half-restored). Returns how many cuts were tried.
    /// </summary>
    public static int EveryTruncationFails<T>(byte[] file, Func<T> create, Action<T, CheckpointReader> read, Func<T, bool> isEmpty)
    {
        byte[] payload = Payload(file);
        Assert.True(payload.Length > 0, "the state wrote nothing");
        for (int cut = 0; cut < payload.Length; cut++)
        {
            using var reader = CheckpointReader.FromBytes(WithPayload(payload.AsSpan(0, cut)), "memory");
            T fresh = create();
            var error = Assert.Throws<CheckpointCorruptException>(() => read(fresh, reader));
            Assert.Equal(CheckpointProblem.Malformed, error.Problem);
            Assert.Contains(Name, error.Message, StringComparison.Ordinal);
            Assert.True(isEmpty(fresh), $"a section cut to {cut} of {payload.Length} bytes left the instance half-restored");
        }

        return payload.Length;
    }
}

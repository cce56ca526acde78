using System.Buffers.Binary;
using Compiled.Checkpoints;

namespace Compiled.Tests.Checkpoints;

/// <summary>
/// Every way a checkpoint file can be damaged or foreign is detected when it is opened, with the file and what is
/// wrong; since a reader is only returned once the whole file checks out, nothing is ever half-loaded.
/// </summary>
public class CheckpointCorruptionTests
{
    private static CheckpointCorruptException Refused(byte[] file, string? expectedPipeline = CheckpointSamples.Pipeline)
    {
        CheckpointReader? reader = null;
        var e = Assert.Throws<CheckpointCorruptException>(() => reader = CheckpointReader.FromBytes(file, "/ckpt/checkpoint-7", expectedPipeline));
        Assert.Null(reader);
        Assert.Equal("/ckpt/checkpoint-7", e.Path);
        Assert.StartsWith("Checkpoint file '/ckpt/checkpoint-7' ", e.Message);
        return e;
    }

    [Fact]
    public void Intact_Small_Loads()
    {
        using var reader = CheckpointReader.FromBytes(CheckpointSamples.Small(), "memory", CheckpointSamples.Pipeline);
        Assert.Equal(new Dictionary<string, long> { ["apple"] = 3, ["pear"] = 5, ["fig"] = 1 }, CheckpointSamples.ReadCounts(reader));
    }

    [Fact]
    public void TruncatedAtEveryOffset_IsDetectedAsTruncated()
    {
        byte[] file = CheckpointSamples.Small();
        for (int length = 0; length < file.Length; length++)
        {
            var e = Refused(file[..length]);
            Assert.True(e.Problem == CheckpointProblem.Truncated, $"cut to {length} of {file.Length} bytes: {e.Problem}: {e.Message}");
            Assert.Contains("Move the file out of the checkpoint directory", e.Message);
        }
    }

    [Fact]
    public void EveryByteFlipped_IsDetected()
    {
        byte[] file = CheckpointSamples.Small();
        for (int offset = 0; offset < file.Length; offset++)
        {
            foreach (byte mask in (byte[])[0xFF, 0x01, 0x80])
            {
                byte[] damaged = (byte[])file.Clone();
                damaged[offset] ^= mask;
                var e = Refused(damaged);
                CheckpointProblem expected = offset switch
                {
                    < 8 => CheckpointProblem.WrongMagic,
                    < 12 => CheckpointProblem.UnsupportedVersion,
                    // The footer's magic and its file length are checked before the checksum, as signs of a cut file.
                    _ when offset >= file.Length - 28 && offset < file.Length - 20 => CheckpointProblem.Truncated,
                    _ when offset >= file.Length - 16 && offset < file.Length - 8 => CheckpointProblem.Truncated,
                    _ => CheckpointProblem.ChecksumMismatch,
                };
                Assert.True(expected == e.Problem, $"byte {offset} ^ 0x{mask:X2}: expected {expected}, got {e.Problem}: {e.Message}");
            }
        }
    }

    [Fact]
    public void WrongMagic_SaysItIsNotACheckpoint()
    {
        byte[] notACheckpoint = "{\"this\": \"is json, not a checkpoint\"}"u8.ToArray();
        var e = Refused(notACheckpoint);
        Assert.Equal(CheckpointProblem.WrongMagic, e.Problem);
        Assert.Contains("is not a Compiled checkpoint", e.Message);
    }

    [Fact]
    public void UnknownFormatVersion_IsRefusedByVersion_BeforeAnythingElseIsRead()
    {
        byte[] file = CheckpointSamples.Small();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), 2);

        // A later format may change everything after the version: cut it short to prove nothing else is read.
        var e = Refused(file[..20]);
        Assert.Equal(CheckpointProblem.UnsupportedVersion, e.Problem);
        Assert.Contains("checkpoint format version 2; this build of Compiled reads versions 1 to 1", e.Message);
        Assert.Contains("Run the Compiled version that wrote it, or start with a new checkpoint directory.", e.Message);
    }

    [Fact]
    public void AnotherPipelinesCheckpoint_IsRefused()
    {
        var e = Refused(CheckpointSamples.Small(pipeline: "LogMonitor"));
        Assert.Equal(CheckpointProblem.ForeignPipeline, e.Problem);
        Assert.Contains("belongs to pipeline 'LogMonitor', not to 'WordCount'", e.Message);
        Assert.Contains("its own checkpoint directory", e.Message);
    }

    [Fact]
    public void ConsistentlyRewrittenButMalformedSection_IsRefused()
    {
        // A file whose checksums were all recomputed over a section length pointing past the footer: the structure
        // check catches what no checksum can.
        byte[] file = CheckpointSamples.Small();
        int sectionStart = 8 + 4 + 8 + 8 + 8 + 2 + CheckpointSamples.Pipeline.Length + 8;
        int payloadLengthAt = sectionStart + 2 + "Count".Length;
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(payloadLengthAt), 10_000);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(file.Length - 8), System.IO.Hashing.XxHash3.HashToUInt64(file.AsSpan(0, file.Length - 8)));

        var e = Refused(file);
        Assert.Equal(CheckpointProblem.Malformed, e.Problem);
        Assert.Contains("section 'Count' of 10000 bytes that runs past the end", e.Message);
    }
}

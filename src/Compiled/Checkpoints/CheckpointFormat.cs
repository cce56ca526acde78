using System.Buffers.Binary;
using System.IO.Hashing;

namespace Compiled.Checkpoints;

/// <summary>
/// The layout of a checkpoint file, format version 1. All integers are little-endian.
/// </summary>
/// <remarks>
/// <code>
/// header   magic "CMPLDCKP" (8) · format version u32 · layout fingerprint u64 · batch number i64 · batch time i64
///          · pipeline name length u16 · pipeline name (UTF-8) · header checksum u64 (XxHash3 of the header before it)
/// section  name length u16 · name (UTF-8) · payload length u64 · payload · section checksum u64 (XxHash3 of the
///          section before it), repeated
/// footer   magic "CMPLDEND" (8) · section count u32 · file length u64 · file checksum u64 (XxHash3 of every byte
///          before it)
/// </code>
/// A payload is what the stage wrote through <see cref="CheckpointWriter.Section"/>. Keyed state in it is a shard
/// count (varint), then per shard an entry count (varint) and its entries; an entry is a key (a byte key: varint
/// length and bytes; a struct key: its bytes) and a value (an unmanaged value: its bytes; otherwise what its
/// <see cref="ICheckpointValue{TSelf}"/> writes). Nothing else is stored per entry.
/// <para>
/// The version comes right after the magic and is checked before anything else is read, so a later format may
/// change everything after it: a reader either knows the version or refuses the file as
/// <see cref="CheckpointProblem.UnsupportedVersion"/>.
/// </para>
/// </remarks>
internal static class CheckpointFormat
{
    /// <summary>The format this build writes; it reads versions 1 to this.</summary>
    public const uint CurrentVersion = 1;

    public const int MagicLength = 8;
    public const int VersionOffset = MagicLength;
    public const int FingerprintOffset = VersionOffset + 4;
    public const int BatchNumberOffset = FingerprintOffset + 8;
    public const int BatchTimeOffset = BatchNumberOffset + 8;
    public const int NameLengthOffset = BatchTimeOffset + 8;
    public const int NameOffset = NameLengthOffset + 2;
    public const int ChecksumLength = 8;
    public const int FooterLength = MagicLength + 4 + 8 + ChecksumLength;

    /// <summary>The smallest possible file: a header with an empty name, no section, a footer.</summary>
    public const int MinimumLength = NameOffset + ChecksumLength + FooterLength;

    public static ReadOnlySpan<byte> Magic => "CMPLDCKP"u8;

    public static ReadOnlySpan<byte> FooterMagic => "CMPLDEND"u8;

    public static ulong Checksum(ReadOnlySpan<byte> bytes) => XxHash3.HashToUInt64(bytes);

    public static void WriteChecksum(Span<byte> destination, ReadOnlySpan<byte> covered) =>
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Checksum(covered));

    public static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException(
                "Checkpoints store unmanaged values as their in-memory bytes in little-endian order; this machine is big-endian, which Compiled does not support.");
        }
    }
}

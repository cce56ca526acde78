using Compiled.Internal;

namespace Compiled.Tests.Internal;

/// <summary>
/// <see cref="ByteSearch.IndexOf"/> finds what <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/> finds from
/// any start, in texts of every length around its 16-byte steps and its 128-byte inline reach, and reads no byte
/// outside the text.
/// </summary>
public class ByteSearchTests
{
    [Fact]
    public void IndexOf_FromEveryStart_OfTextsOfEveryLength_AgreesWithIndexOf()
    {
        var random = new Random(20261207);
        for (int length = 0; length <= 300; length++)
        {
            for (int trial = 0; trial < 4; trial++)
            {
                // Sparse separators (none at all in some texts), so that searches run long, end at the text's last
                // bytes, or find nothing.
                byte[] text = new byte[length];
                int separators = trial == 0 ? 0 : random.Next(0, 3);
                for (int i = 0; i < length; i++)
                {
                    text[i] = (byte)('a' + random.Next(26));
                }

                for (int s = 0; s < separators && length > 0; s++)
                {
                    text[random.Next(length)] = (byte)',';
                }

                for (int start = 0; start <= length; start++)
                {
                    int found = text.AsSpan(start).IndexOf((byte)',');
                    int expected = found < 0 ? -1 : start + found;
                    Assert.True(
                        expected == ByteSearch.IndexOf(text, start, (byte)','),
                        $"length {length}, start {start}, separators at {string.Join(",", Enumerable.Range(0, length).Where(i => text[i] == ','))}");
                }
            }
        }
    }

    [Fact]
    public void IndexOf_ReadsNothingPastTheText()
    {
        // A separator just past the slice's end, in the same array: a search that read beyond the text would find it.
        byte[] buffer = new byte[64];
        buffer.AsSpan().Fill((byte)'x');
        for (int length = 0; length < 40; length++)
        {
            buffer[length] = (byte)',';
            for (int start = 0; start <= length; start++)
            {
                Assert.Equal(-1, ByteSearch.IndexOf(buffer.AsSpan(0, length), start, (byte)','));
            }

            buffer[length] = (byte)'x';
        }
    }

    [Fact]
    public void Bits_OfEveryBlock_OfTextsOfEveryLength_MarkTheValuesBytes()
    {
        // Every way the bits are made: one 256-bit compare, two of 128 bits, a short text's overlapping halves and byte
        // by byte; each from every start of texts around the 32-byte block, cut from a larger buffer whose next bytes
        // are the value (a read past the text would mark them).
        var random = new Random(20261208);
        byte[] buffer = new byte[120];
        for (int length = 0; length <= 80; length++)
        {
            for (int trial = 0; trial < 6; trial++)
            {
                for (int i = 0; i < buffer.Length; i++)
                {
                    buffer[i] = i >= length ? (byte)' ' : random.Next(4) == 0 ? (byte)' ' : (byte)('a' + random.Next(26));
                }

                ReadOnlySpan<byte> text = buffer.AsSpan(0, length);
                for (int at = 0; at < length; at++)
                {
                    uint expected = 0;
                    for (int i = 0; i < ByteSearch.BitsBlock && at + i < length; i++)
                    {
                        expected |= text[at + i] == (byte)' ' ? 1u << i : 0;
                    }

                    string where = $"length {length}, at {at}";
                    Assert.True(expected == ByteSearch.Bits(text, at, (byte)' '), where);
                    Assert.True(expected == ByteSearch.ShortBits(text, at, (byte)' '), where);
                    if (length >= ByteSearch.BitsBlock)
                    {
                        Assert.True(expected == ByteSearch.Bits(text, at, (byte)' ', wide: false), where);
                        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
                        {
                            Assert.True(expected == ByteSearch.Bits(text, at, (byte)' ', wide: true), where);
                        }
                    }
                }
            }
        }
    }
}

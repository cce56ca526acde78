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
}

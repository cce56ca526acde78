using Compiled.Internal;

namespace Compiled.Tests.Internal;

/// <summary><see cref="ShortCopy.TryCopy"/> copies runs of 4 to 32 bytes exactly, and writes nothing past them.</summary>
public class ShortCopyTests
{
    [Fact]
    public void TryCopy_RunsOfEveryLength_CopiesFourToThirtyTwoBytesExactly_AndNothingElse()
    {
        var random = new Random(20261208);
        for (int length = 0; length <= 40; length++)
        {
            byte[] source = new byte[length];
            random.NextBytes(source);
            byte[] target = new byte[64];
            target.AsSpan().Fill(0xEE);

            bool copied = ShortCopy.TryCopy(source, ref target[8]);

            Assert.Equal(length is >= 4 and <= ShortCopy.MaxBytes, copied);
            byte[] expected = new byte[64];
            expected.AsSpan().Fill(0xEE);
            if (copied)
            {
                source.CopyTo(expected, 8);
            }

            Assert.Equal(expected, target);
        }
    }
}

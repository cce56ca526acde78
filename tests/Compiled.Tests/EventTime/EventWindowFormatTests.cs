using System.Text;
using Compiled;

namespace Compiled.Tests.EventTimeTests;

/// <summary>An event window writes itself as <c>[start,end)</c> in UTF-8, as the text sinks print it.</summary>
public class EventWindowFormatTests
{
    [Theory]
    [InlineData(0, 60000, "[0,60000)")]
    [InlineData(-5000, -2000, "[-5000,-2000)")]
    [InlineData(long.MinValue, long.MaxValue, "[-9223372036854775808,9223372036854775807)")]
    public void TryFormat_WritesStartAndEnd_AsToStringDoes(long start, long end, string expected)
    {
        var window = new EventWindow(start, end);
        Span<byte> buffer = stackalloc byte[64];

        Assert.True(window.TryFormat(buffer, out int written, default, null));
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer[..written]));
        Assert.Equal(expected, window.ToString());
    }

    [Fact]
    public void TryFormat_IntoEveryShorterBuffer_ReturnsFalse_AndTheExactLengthFits()
    {
        var window = new EventWindow(120000, 180000);
        const string expected = "[120000,180000)";
        byte[] buffer = new byte[expected.Length];
        for (int length = 0; length < expected.Length; length++)
        {
            Assert.False(window.TryFormat(buffer.AsSpan(0, length), out int written, default, null));
            Assert.Equal(0, written);
        }

        Assert.True(window.TryFormat(buffer, out int all, default, null));
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, all));
    }
}

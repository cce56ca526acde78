using System.Text;

namespace Compiled.Tests.Records;

public class RecordTextTests
{
    [Fact]
    public void RecordText_AppendValue_FormatsARefStructWithoutBoxingIt()
    {
        // A ref struct cannot be boxed, so this compiles only because AppendValue allows ref structs.
        var text = new RecordText(capacity: 1);
        text.Clear().Append('(').AppendValue(new Word("héllo"u8)).Append(',').AppendValue(42).Append(')');

        Assert.Equal("(héllo,42)", Encoding.UTF8.GetString(text.Written));
    }

    private readonly ref struct Word(ReadOnlySpan<byte> bytes) : IUtf8SpanFormattable
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public bool TryFormat(Span<byte> destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            bytesWritten = _bytes.Length;
            return _bytes.TryCopyTo(destination);
        }

        public string ToString(string? format, IFormatProvider? provider) => Encoding.UTF8.GetString(_bytes);
    }
}

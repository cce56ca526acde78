using System.Buffers.Text;

namespace Samples.Nexmark.Generator;

/// <summary>Writes one event's CSV line into a buffer that is known to be long enough (<see cref="EventGenerator.MaxLineBytes"/>).</summary>
internal ref struct CsvLine(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _length;

    /// <summary>The bytes written.</summary>
    public readonly int Length => _length;

    public void Comma() => _buffer[_length++] = (byte)',';

    public void Number(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer[_length..], out int written);
        _length += written;
    }

    /// <summary>A number written with at least <paramref name="digits"/> digits, zeros first.</summary>
    public void Padded(long value, int digits)
    {
        Utf8Formatter.TryFormat(value, _buffer[_length..], out int written, new System.Buffers.StandardFormat('D', (byte)digits));
        _length += written;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_length..]);
        _length += bytes.Length;
    }

    public void Byte(byte value) => _buffer[_length++] = value;

    /// <summary>Random lower-case letters, 3 to <paramref name="maxLength"/> of them, with a space now and then.</summary>
    public void Text(ref NexmarkRandom random, int maxLength)
    {
        int length = 3 + random.NextInt(maxLength - 2);
        for (int i = 0; i < length; i++)
        {
            // About one character in thirteen is a space, never the first or the last.
            int letter = random.NextInt(i == 0 || i == length - 1 ? 26 : 28);
            _buffer[_length++] = letter >= 26 ? (byte)' ' : (byte)('a' + letter);
        }
    }
}

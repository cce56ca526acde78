using System.Buffers.Text;

namespace Compiled.Benchmarks.Trill;

/// <summary>
/// Writes <c>(a,b)</c> and <c>(a,b,c)</c> lines of whole numbers to a file in 64 KiB blocks, the format of
/// samples/Nexmark's file sink for Q2's and Q5's tuples, and flushes them to disk at the end as that sink does.
/// </summary>
internal sealed class LineWriter : IDisposable
{
    private readonly FileStream _output;
    private readonly byte[] _text = new byte[1 << 16];
    private int _written;

    /// <summary>Creates <paramref name="path"/> (it must not exist).</summary>
    public LineWriter(string path) => _output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);

    /// <summary>How many lines were written.</summary>
    public long Lines { get; private set; }

    /// <summary>Writes <c>(a,b)</c>.</summary>
    public void Write(long a, long b)
    {
        Span<byte> line = Room();
        line[0] = (byte)'(';
        int at = 1;
        at += Number(a, line[at..]);
        line[at++] = (byte)',';
        at += Number(b, line[at..]);
        End(line, at);
    }

    /// <summary>Writes <c>(a,b,c)</c>.</summary>
    public void Write(long a, long b, long c)
    {
        Span<byte> line = Room();
        line[0] = (byte)'(';
        int at = 1;
        at += Number(a, line[at..]);
        line[at++] = (byte)',';
        at += Number(b, line[at..]);
        line[at++] = (byte)',';
        at += Number(c, line[at..]);
        End(line, at);
    }

    /// <summary>Writes what is buffered and flushes the file to disk.</summary>
    public void Dispose()
    {
        _output.Write(_text, 0, _written);
        _written = 0;
        _output.Flush(flushToDisk: true);
        _output.Dispose();
    }

    private Span<byte> Room()
    {
        if (_text.Length - _written < 80)
        {
            _output.Write(_text, 0, _written);
            _written = 0;
        }

        return _text.AsSpan(_written);
    }

    private void End(Span<byte> line, int at)
    {
        line[at++] = (byte)')';
        line[at++] = (byte)'\n';
        _written += at;
        Lines++;
    }

    private static int Number(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out int written);
        return written;
    }
}

using System.Runtime.CompilerServices;

namespace Compiled;

/// <summary>
/// The words of a line: the maximal runs of bytes other than a separator byte (the ASCII space by
/// default). Empty words, from separators side by side or at either end, are skipped. Bytes are never
/// decoded. A <c>ref struct</c> enumerable, so a <see cref="FlatMapAttribute"/> stage returning it
/// stays inside the fused loop and allocates nothing.
/// </summary>
public readonly ref struct Utf8Words
{
    private readonly ReadOnlySpan<byte> _text;
    private readonly byte _separator;

    /// <summary>Splits <paramref name="text"/> at each <paramref name="separator"/> byte.</summary>
    public Utf8Words(ReadOnlySpan<byte> text, byte separator = (byte)' ')
    {
        _text = text;
        _separator = separator;
    }

    /// <summary>Returns the enumerator that <c>foreach</c> uses.</summary>
    public Enumerator GetEnumerator() => new(_text, _separator);

    /// <summary>Walks the words left to right.</summary>
    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;
        private readonly byte _separator;
        private ReadOnlySpan<byte> _current;

        internal Enumerator(ReadOnlySpan<byte> text, byte separator)
        {
            _rest = text;
            _separator = separator;
            _current = default;
        }

        /// <summary>The current word.</summary>
        public readonly ReadOnlySpan<byte> Current => _current;

        /// <summary>Moves to the next non-empty word; <see langword="false"/> at the end of the text.</summary>
        /// <remarks>
        /// Marked for inlining: without dynamic PGO (Native AOT) the inliner would leave this loop as a call per
        /// word, which costs the word count about 10% (benchmarks/RESULTS.md).
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext()
        {
            ReadOnlySpan<byte> rest = _rest;
            while (!rest.IsEmpty)
            {
                int end = rest.IndexOf(_separator);
                if (end < 0)
                {
                    _current = rest;
                    _rest = default;
                    return true;
                }

                if (end > 0)
                {
                    _current = rest[..end];
                    _rest = rest[(end + 1)..];
                    return true;
                }

                // A separator at the start: an empty word, which is dropped.
                rest = rest[1..];
            }

            _rest = default;
            return false;
        }
    }
}

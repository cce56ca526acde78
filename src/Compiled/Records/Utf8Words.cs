using System.Runtime.CompilerServices;
using Compiled.Internal;

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
    /// <remarks>
    /// The end of a word is found 16 bytes at a time from its first byte, inline (<c>ByteSearch</c>), where the machine
    /// compares vectors: a word of up to 15 bytes (most words of a text) costs one load, one compare and a count of
    /// trailing zeros, instead of a call to <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/> per word. No
    /// byte outside the text is read.
    /// </remarks>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _text;
        private readonly byte _separator;
        private int _next;      // where the search for the next word starts
        private ReadOnlySpan<byte> _current;

        internal Enumerator(ReadOnlySpan<byte> text, byte separator)
        {
            _text = text;
            _separator = separator;
            _next = 0;
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
            ReadOnlySpan<byte> text = _text;
            int start = _next;
            while ((uint)start < (uint)text.Length)
            {
                int end = EndOfWord(text, start, _separator);
                if (end > start)
                {
                    _current = text[start..end];
                    _next = end + 1;
                    return true;
                }

                // A separator at the start: an empty word, which is dropped.
                start++;
            }

            _next = text.Length;
            return false;
        }

        // The index of the first separator at or after `start` (less than the text's length), or the text's length.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int EndOfWord(ReadOnlySpan<byte> text, int start, byte separator)
        {
            int found = ByteSearch.IndexOf(text, start, separator);
            return found < 0 ? text.Length : found;
        }
    }
}

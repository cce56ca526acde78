using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    /// The text's separators are marked 32 bytes at a time, inline (<c>ByteSearch.Bits</c>): one compare of a block
    /// gives a bit per separator, and each word after that ends at the lowest bit left, with no load or compare of its
    /// own. A line of 80 bytes and ten words costs three compares, where a search per word would cost ten. No byte outside
    /// the text is read.
    /// </remarks>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _text;
        private readonly byte _separator;
        private int _start;        // where the next word may begin
        private int _block;        // where the block whose separator bits are kept starts
        private uint _separators;  // that block's separator bits not yet passed: bit i for the byte at _block + i
        private ReadOnlySpan<byte> _current;

        internal Enumerator(ReadOnlySpan<byte> text, byte separator)
        {
            _text = text;
            _separator = separator;
            _start = 0;
            _block = -ByteSearch.BitsBlock;
            _separators = 0;
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
            int start = _start;
            int block = _block;
            uint separators = _separators;
            while (true)
            {
                while (separators != 0)
                {
                    int end = block + BitOperations.TrailingZeroCount(separators);
                    separators &= separators - 1;
                    if (end > start)
                    {
                        _current = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetReference(text), start), end - start);
                        _start = end + 1;
                        _block = block;
                        _separators = separators;
                        return true;
                    }

                    // A separator at the start: an empty word, which is dropped.
                    start = end + 1;
                }

                block += ByteSearch.BitsBlock;
                if (block >= text.Length)
                {
                    break;
                }

                separators = ByteSearch.Bits(text, block, _separator);
            }

            // Past the last block: the word that runs to the text's end, if any.
            _block = block - ByteSearch.BitsBlock;
            _separators = 0;
            _start = text.Length;
            if (start < text.Length)
            {
                _current = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetReference(text), start), text.Length - start);
                return true;
            }

            return false;
        }
    }
}

using System.Runtime.CompilerServices;

namespace Compiled.Benchmarks.Experiments;

/// <summary>
/// A copy of the runtime's <see cref="Utf8Words"/>, word for word, except that
/// <see cref="Enumerator.MoveNext"/> is marked <see cref="MethodImplOptions.AggressiveInlining"/>: the
/// experiment that shows what that one attribute is worth when the JIT has no dynamic PGO (Native AOT,
/// <c>DOTNET_TieredPGO=0</c>), where it otherwise leaves a call per word in the fused loop.
/// </summary>
public readonly ref struct InlinedUtf8Words
{
    private readonly ReadOnlySpan<byte> _text;
    private readonly byte _separator;

    /// <summary>Splits <paramref name="text"/> at each <paramref name="separator"/> byte.</summary>
    public InlinedUtf8Words(ReadOnlySpan<byte> text, byte separator = (byte)' ')
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

                rest = rest[1..];
            }

            _rest = default;
            return false;
        }
    }
}

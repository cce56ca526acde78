using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Keys;

/// <summary>
/// How a <see cref="StructKeyTable{TKey, TValue}"/> hashes, compares and keeps its keys: a <see cref="string"/> by its
/// characters (ordinal), a <see cref="Utf8Text"/> by its bytes, and any other key through
/// <see cref="EqualityComparer{T}.Default"/>.
/// </summary>
/// <remarks>
/// <para>
/// A table of string keys runs as the runtime's shared code for reference types, where
/// <see cref="EqualityComparer{T}.Default"/> is a virtual call per lookup. Here a string key is hashed by
/// <see cref="KeyHash"/> over its UTF-16 bytes and compared by <see cref="string.Equals(string, string)"/>, both direct
/// calls; for a struct key the JIT compiles the table for that struct and drops the tests on the type, so nothing is
/// added to its path.
/// </para>
/// <para>
/// A <see cref="Utf8Text"/> points into its source's buffer, which the next record reuses, so the table keeps a copy of
/// the text made when the key is added (<see cref="Own"/>, once per new key of a table, never per record), and hashes
/// and compares the bytes. A key that is a struct holding a <see cref="Utf8Text"/> cannot be copied this way; the
/// generator refuses it (CMP0014).
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key. A null string (a key typed <c>string?</c>) is a key of its own, apart from "".</typeparam>
internal static class KeyEquality<TKey>
{
    /// <summary>The hash of <paramref name="key"/>, equal for equal keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HashOf(TKey key)
    {
        if (typeof(TKey) == typeof(string))
        {
            return (int)KeyHash.Of(MemoryMarshal.AsBytes(Unsafe.As<TKey, string>(ref key).AsSpan()));
        }

        if (typeof(TKey) == typeof(Utf8Text))
        {
            return (int)KeyHash.Of(Unsafe.As<TKey, Utf8Text>(ref key).Span);
        }

        return key is null ? 0 : EqualityComparer<TKey>.Default.GetHashCode(key);
    }

    /// <summary>Whether <paramref name="kept"/> (a key of the table) and <paramref name="key"/> are the same key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Equal(TKey kept, TKey key)
    {
        if (typeof(TKey) == typeof(string))
        {
            return string.Equals(Unsafe.As<TKey, string>(ref kept), Unsafe.As<TKey, string>(ref key));
        }

        if (typeof(TKey) == typeof(Utf8Text))
        {
            return Unsafe.As<TKey, Utf8Text>(ref kept).Span.SequenceEqual(Unsafe.As<TKey, Utf8Text>(ref key).Span);
        }

        return EqualityComparer<TKey>.Default.Equals(kept, key);
    }

    /// <summary>The key as a table keeps it: a <see cref="Utf8Text"/> copied out of its source's buffer, any other key as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TKey Own(TKey key)
    {
        if (typeof(TKey) == typeof(Utf8Text))
        {
            var copy = new Utf8Text(Unsafe.As<TKey, Utf8Text>(ref key).Span);
            return Unsafe.As<Utf8Text, TKey>(ref copy);
        }

        return key;
    }
}

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
/// and compares the bytes. A key that is a tuple or struct holding a <see cref="Utf8Text"/> (<c>(Utf8Text, int)</c>, a
/// record struct with a text member) is copied by the function its generated job registered
/// (<see cref="KeyTextCopies.Register{TKey}"/>): a copy of the key with each text member copied, once per new key; its
/// equality (the tuple's or record's, member by member) compares the texts by their bytes.
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

        // The commonest keys spelled out, as their own GetHashCode: precompiled code (a ReadyToRun image) reaches the
        // default comparer, a static field, through a call, where the JIT reads it as a constant.
        if (typeof(TKey) == typeof(long))
        {
            return Unsafe.As<TKey, long>(ref key).GetHashCode();
        }

        if (typeof(TKey) == typeof(int))
        {
            return Unsafe.As<TKey, int>(ref key).GetHashCode();
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

        if (typeof(TKey) == typeof(long))
        {
            return Unsafe.As<TKey, long>(ref kept) == Unsafe.As<TKey, long>(ref key);
        }

        if (typeof(TKey) == typeof(int))
        {
            return Unsafe.As<TKey, int>(ref kept) == Unsafe.As<TKey, int>(ref key);
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

        if (typeof(TKey) == typeof(long) || typeof(TKey) == typeof(int))
        {
            return key;
        }

        Func<TKey, TKey>? copyText = s_copyText;
        return copyText is null ? key : copyText(key);
    }

    // How a tuple or struct key holding Utf8Text members takes its own copy of them: set by KeyTextCopies.Register.
    private static Func<TKey, TKey>? s_copyText;

    /// <summary>Sets how a key of this type copies its text members (the first registration holds).</summary>
    internal static void SetTextCopy(Func<TKey, TKey> copy) => Interlocked.CompareExchange(ref s_copyText, copy, null);
}

/// <summary>
/// How a key table keeps a key that holds <see cref="Utf8Text"/> members: a tuple such as <c>(Utf8Text, int)</c> or a
/// record struct with a text member. A <see cref="Utf8Text"/> is a slice of its source's buffer, which the next record
/// reuses, so a table that adds such a key keeps a copy of it with each text member copied out (once per new key, never
/// per record). A generated job registers the copy of each such key type its stages use before its first record.
/// </summary>
public static class KeyTextCopies
{
    /// <summary>
    /// Makes key tables keep <typeparamref name="TKey"/> keys as <paramref name="copyText"/> returns them: the key with
    /// each <see cref="Utf8Text"/> member replaced by text of its own (<c>new Utf8Text(text.Span)</c>). The first
    /// registration of a type holds; calling it again does nothing. It is safe to call from several threads.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="copyText">Returns the key with its text members copied.</param>
    public static void Register<TKey>(Func<TKey, TKey> copyText)
        where TKey : struct
    {
        ArgumentNullException.ThrowIfNull(copyText);
        KeyEquality<TKey>.SetTextCopy(copyText);
    }
}

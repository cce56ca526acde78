using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Compiled;

/// <summary>An event-time window: from <see cref="Start"/> (included) to <see cref="End"/> (excluded), in Unix milliseconds.</summary>
/// <param name="Start">The first instant in the window.</param>
/// <param name="End">The first instant after the window.</param>
public readonly record struct EventWindow(long Start, long End) : IUtf8SpanFormattable
{
    /// <summary>The window as <c>[start,end)</c>.</summary>
    public override string ToString() => $"[{Start.ToString(CultureInfo.InvariantCulture)},{End.ToString(CultureInfo.InvariantCulture)})";

    /// <inheritdoc />
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        // Written out by hand rather than with Utf8.TryWrite, whose handler boxes each long until the JIT tiers it up.
        bytesWritten = 0;
        Span<byte> rest = utf8Destination;
        if (rest.Length < 1)
        {
            return false;
        }

        rest[0] = (byte)'[';
        if (!Start.TryFormat(rest[1..], out int start, default, CultureInfo.InvariantCulture) || rest.Length < start + 2)
        {
            return false;
        }

        rest[1 + start] = (byte)',';
        rest = rest[(start + 2)..];
        if (!End.TryFormat(rest, out int end, default, CultureInfo.InvariantCulture) || rest.Length < end + 1)
        {
            return false;
        }

        rest[end] = (byte)')';
        bytesWritten = start + end + 3;
        return true;
    }

    /// <summary>The start of the window of <paramref name="slide"/>-spaced starts that begins last at or before <paramref name="time"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long LastStart(long time, long slide)
    {
        long start = time - (time % slide);
        return time < 0 && start != time ? start - slide : start;
    }
}

/// <summary>
/// A record of a key's value over one event-time window, made by the window types that serve both kinds of key
/// (<see cref="Windows.SessionWindows{TKey, TValue, TKeys, TRecord}"/>) through a static call, so it is inlined.
/// </summary>
/// <typeparam name="TSelf">The record type.</typeparam>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IWindowedRecord<TSelf, TKey, TValue>
    where TSelf : IWindowedRecord<TSelf, TKey, TValue>, allows ref struct
    where TKey : allows ref struct
{
    /// <summary>The record of <paramref name="key"/>'s <paramref name="value"/> over <paramref name="window"/>.</summary>
    static abstract TSelf Create(EventWindow window, TKey key, TValue value);
}

/// <summary>A byte-span key's value over one event-time window, as views valid during the call.</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly ref struct Windowed<TValue> : IWindowedRecord<Windowed<TValue>, ReadOnlySpan<byte>, TValue>
{
    /// <summary>Creates the record (the generated code does this).</summary>
    public Windowed(EventWindow window, ReadOnlySpan<byte> key, TValue value)
    {
        Window = window;
        Key = key;
        Value = value;
    }

    /// <inheritdoc />
    public static Windowed<TValue> Create(EventWindow window, ReadOnlySpan<byte> key, TValue value) => new(window, key, value);

    /// <summary>The window.</summary>
    public EventWindow Window { get; }

    /// <summary>The key's bytes.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value over the window.</summary>
    public TValue Value { get; }

    /// <summary>The record as <c>([start,end),key,value)</c>, decoding the key as UTF-8.</summary>
    public override string ToString() => $"({Window},{Encoding.UTF8.GetString(Key)},{Value})";
}

/// <summary>A struct key's value over one event-time window.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Window">The window.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value over the window.</param>
public readonly record struct Windowed<TKey, TValue>(EventWindow Window, TKey Key, TValue Value)
    : IWindowedRecord<Windowed<TKey, TValue>, TKey, TValue>
{
    /// <inheritdoc />
    public static Windowed<TKey, TValue> Create(EventWindow window, TKey key, TValue value) => new(window, key, value);

    /// <summary>The record as <c>([start,end),key,value)</c>.</summary>
    public override string ToString() => $"({Window},{Key},{Value})";
}

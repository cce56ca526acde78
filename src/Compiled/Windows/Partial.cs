using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// A value that may not be there yet: one batch's (or one window's) reduction of a stream that is not keyed.
/// A class, so the fused loop and the batch boundary share it by reference.
/// </summary>
/// <typeparam name="T">The reduced type.</typeparam>
public sealed class Partial<T>
{
    /// <summary>Whether a value was reduced into it.</summary>
    public bool HasValue;

    /// <summary>The value, when <see cref="HasValue"/>.</summary>
    public T Value = default!;

    /// <summary>Forgets the value.</summary>
    public void Clear()
    {
        HasValue = false;
        Value = default!;
    }

    /// <summary>Writes it into a checkpoint section: a varint 0 when it has no value, else 1 and the value.</summary>
    internal void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        section.WriteCount(HasValue ? 1u : 0u);
        if (HasValue)
        {
            CheckpointValues<T>.Write(in Value, ref section);
        }
    }

    /// <summary>Reads what <see cref="WriteCheckpoint"/> wrote into a new partial.</summary>
    internal static Partial<T> ReadCheckpoint(ref CheckpointReader.Section section)
    {
        var partial = new Partial<T>();
        switch (section.ReadCount())
        {
            case 0:
                break;
            case 1:
                partial.Value = CheckpointValues<T>.Read(ref section);
                partial.HasValue = true;
                break;
            default:
                throw section.Malformed("has a partial value whose has-value flag is neither 0 nor 1");
        }

        return partial;
    }
}

/// <summary>
/// One key's state in a window kept up to date with an inverse function: its value over the window, and how many
/// of the window's batches hold a value of the key. A key whose filter fails is forgotten only once none of its
/// values are left in the window, so a value that leaves is never taken back from a state it is not part of.
/// </summary>
/// <typeparam name="TValue">The value type.</typeparam>
public struct WindowEntry<TValue>
{
    /// <summary>The key's value over the window.</summary>
    public TValue Value;

    /// <summary>How many batches of the window hold a value of the key.</summary>
    public int Batches;
}

/// <summary>
/// A window's table in a checkpoint: every entry, forgotten ones included, with its batch count plus one (a varint) and
/// its value through <see cref="CheckpointValues{T}"/>.
/// </summary>
/// <typeparam name="TValue">The value type.</typeparam>
internal readonly struct WindowEntries<TValue> : IEntryCodec<WindowEntry<TValue>>
{
    public static bool Includes(ref WindowEntry<TValue> value) => true;

    public static void Write(ref WindowEntry<TValue> value, ref CheckpointWriter.Section section)
    {
        section.WriteCount((uint)(value.Batches + 1));
        CheckpointValues<TValue>.Write(in value.Value, ref section);
    }

    public static WindowEntry<TValue> Read(ref CheckpointReader.Section section)
    {
        ulong batches = section.ReadCount();
        if (batches > int.MaxValue)
        {
            throw section.Malformed($"gives a key of a window a batch count of {batches - 1}");
        }

        return new WindowEntry<TValue> { Batches = (int)batches - 1, Value = CheckpointValues<TValue>.Read(ref section) };
    }
}

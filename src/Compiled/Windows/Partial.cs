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

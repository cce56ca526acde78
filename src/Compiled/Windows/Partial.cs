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

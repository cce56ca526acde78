using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Internal;

/// <summary>
/// Copies a short run of bytes (4 to 32: a column, a row of a few numbers) inline, with two overlapping loads and stores
/// of the widest size that fits, where a copy through <see cref="ReadOnlySpan{T}.CopyTo(Span{T})"/>
/// is a call whose set-up costs as much as the copy.
/// </summary>
internal static class ShortCopy
{
    /// <summary>The longest run <see cref="TryCopy"/> copies.</summary>
    public const int MaxBytes = 32;

    /// <summary>
    /// Copies <paramref name="from"/> to <paramref name="to"/> if it is 4 to <see cref="MaxBytes"/> bytes long; otherwise
    /// copies nothing and returns <see langword="false"/>. The caller makes sure that <paramref name="to"/> has room for
    /// <paramref name="from"/>: every byte written is one of its length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryCopy(ReadOnlySpan<byte> from, ref byte to)
    {
        int length = from.Length;
        if ((uint)(length - 4) > MaxBytes - 4)
        {
            return false;
        }

        ref byte source = ref MemoryMarshal.GetReference(from);
        if (length > 16 && Vector128.IsHardwareAccelerated)
        {
            Vector128.LoadUnsafe(ref source).StoreUnsafe(ref to);
            Vector128.LoadUnsafe(ref source, (nuint)(length - 16)).StoreUnsafe(ref to, (nuint)(length - 16));
        }
        else if (length > 16)
        {
            return false;
        }
        else if (length >= 8)
        {
            Unsafe.WriteUnaligned(ref to, Unsafe.ReadUnaligned<ulong>(ref source));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, length - 8), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, length - 8)));
        }
        else
        {
            Unsafe.WriteUnaligned(ref to, Unsafe.ReadUnaligned<uint>(ref source));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, length - 4), Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref source, length - 4)));
        }

        return true;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Keys;

/// <summary>Asks the processor for a cache line ahead of its use, where the platform has an instruction for it.</summary>
internal static class CacheLines
{
    /// <summary>
    /// Asks for the cache line that holds <paramref name="at"/> (x86's <c>prefetcht0</c>; nothing elsewhere) and goes on
    /// without waiting for it. A hint, never a read: it cannot fault, and if the collector moves the object before the
    /// line comes, the line fetched is merely of no use. This is the assembly's one use of a pointer: the instruction
    /// takes an address, and no managed overload takes a reference.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(ref T at)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref at));
        }
    }
}

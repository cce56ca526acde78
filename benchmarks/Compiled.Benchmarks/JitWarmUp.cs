using System.Buffers;
using System.Runtime;

namespace Compiled.Benchmarks;

/// <summary>
/// Brings a benchmark's code to its final, fully optimized tier before it is measured.
/// </summary>
/// <remarks>
/// One operation of these benchmarks is one call over the whole 32 MiB corpus, so a method such as
/// <c>LineFramer.Frame</c> is called only a few dozen times in a whole BenchmarkDotNet run; the tiered JIT
/// promotes a method after 30 calls (and then again after its PGO-instrumented tier), so without help the
/// first measured iterations run on-stack-replacement code and the later ones on Tier-1 code, and the result
/// depends on where the switch fell. A streaming job calls <c>Process</c> once per pipe read, thousands of
/// times, so Tier-1 code is what production runs. This calls the operation many times over a short prefix of
/// the corpus, pausing so the background compiler can work, until no new method has been compiled for a
/// whole round.
/// </remarks>
internal static class JitWarmUp
{
    /// <summary>
    /// Set in <c>profile</c> and <c>compare</c> runs given <c>--quick</c> (for valgrind, where LINQ over the
    /// corpus takes minutes): the word count then skips its cross-check and LINQ's warm-up.
    /// </summary>
    public static bool Quick { get; set; }

    /// <summary>The size of the prefix of the corpus that warm-up operations run over.</summary>
    public const int PrefixBytes = 256 << 10;

    /// <summary>Calls <paramref name="operation"/> with a short prefix of <paramref name="buffer"/> until the JIT is quiet.</summary>
    public static void Run(ReadOnlySequence<byte> buffer, Action<ReadOnlySequence<byte>> operation)
    {
        ReadOnlySequence<byte> prefix = buffer.Slice(0, Math.Min(buffer.Length, PrefixBytes));
        Run(() => operation(prefix));
    }

    /// <summary>Calls <paramref name="operation"/> (which should be short) until the JIT is quiet.</summary>
    public static void Run(Action operation)
    {
        long compiled = -1;
        for (int round = 0; round < 20 && JitInfo.GetCompiledMethodCount() != compiled; round++)
        {
            compiled = JitInfo.GetCompiledMethodCount();
            for (int call = 0; call < 40; call++)
            {
                operation();
            }

            // The tiered JIT waits for a quiet spell (100 ms by default) before it promotes methods.
            Thread.Sleep(250);
        }
    }
}

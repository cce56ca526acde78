using System.Globalization;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// The rows of a hand-written job on several threads: <c>--hand-threads N</c> (or, if not given, the <c>--partitions N</c>
/// the compiled jobs run on) adds the hand-written job once more under the JIT (<c>--hand-jit</c>) and Native AOT
/// (<c>--hand-aot</c>), each told <c>--threads N</c>.
/// </summary>
internal static class HandThreadJobs
{
    /// <summary>The threads asked for, or <see langword="null"/> if neither option is given (or it is 1).</summary>
    public static int? Count(IReadOnlyDictionary<string, string> options)
    {
        string? given = options.GetValueOrDefault("--hand-threads") ?? options.GetValueOrDefault("--partitions");
        int threads = given is null ? 1 : int.Parse(given, CultureInfo.InvariantCulture);
        return threads > 1 ? threads : null;
    }

    /// <summary>
    /// The jobs "hand-written, JIT, N threads" and "hand-written, AOT, N threads", whose arguments for an input and an
    /// output directory are <paramref name="arguments"/>'s (the command and its operands) and <c>--threads N</c>.
    /// </summary>
    public static IEnumerable<Job> For(IReadOnlyDictionary<string, string> options, Func<string, string, IReadOnlyList<string>> arguments)
    {
        if (Count(options) is not { } threads)
        {
            yield break;
        }

        string n = threads.ToString(CultureInfo.InvariantCulture);
        string handJit = options["--hand-jit"];
        yield return new Job($"hand-written, JIT, {n} threads", "dotnet", (i, o) => [handJit, .. arguments(i, o), "--threads", n]);
        if (options.TryGetValue("--hand-aot", out string? handAot))
        {
            yield return new Job($"hand-written, AOT, {n} threads", handAot, (i, o) => [.. arguments(i, o), "--threads", n]);
        }
    }
}

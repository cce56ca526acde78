namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// The Q5-style job written with Microsoft's Trill (benchmarks/Compiled.Benchmarks.Trill, built against a Trill built
/// from source by its build-trill.sh), when run-hottest is given <c>--trill DLL</c>: Trill in its row mode
/// (<c>dotnet Compiled.Benchmarks.Trill.dll q5 INPUT OUTPUT</c>), on the whole bid file.
/// </summary>
internal static class TrillJobs
{
    /// <summary>The Trill jobs that <paramref name="options"/> ask for: none without <c>--trill</c>.</summary>
    public static IEnumerable<Job> Hottest(IReadOnlyDictionary<string, string> options)
    {
        if (options.TryGetValue("--trill", out string? trill))
        {
            yield return new Job("Trill Q5, row mode, JIT", "dotnet", (i, o) => [trill, "q5", i, Path.Combine(o, "hottest.txt")]);
        }
    }
}

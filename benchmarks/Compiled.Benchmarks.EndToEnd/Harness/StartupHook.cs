/// <summary>
/// The startup hook the harness loads into the jobs it runs with <c>dotnet</c> (<c>DOTNET_STARTUP_HOOKS</c> names this
/// assembly; the runtime calls <see cref="Initialize"/> before the job's <c>Main</c>). Loading the assembly runs its
/// module initializer, which is all it is for: see <see cref="Compiled.Benchmarks.EndToEnd.Harness.GcCounts"/>.
/// </summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime at start; the module initializer has done the work.</summary>
    public static void Initialize()
    {
    }
}

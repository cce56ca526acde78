using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// A measured process's garbage collections, gen0, gen1 and gen2, as <see cref="GC.CollectionCount(int)"/> counts them
/// at its exit. The harness sets <see cref="Variable"/> for every job; a process that has this assembly loaded then
/// writes one line, <c>gc-counts: G0 G1 G2</c>, to its standard error as it exits. It is loaded into the hand-written
/// jobs (this assembly is theirs, under the JIT and Native AOT alike), and into every job run by <c>dotnet</c> (the
/// compiled samples under the JIT, the peers) as a startup hook (<c>DOTNET_STARTUP_HOOKS</c>, see
/// <see cref="global::StartupHook"/>), so the jobs hold no code of the harness's. A Native AOT build runs no startup
/// hook: the compiled samples published with Native AOT report none. A project that publishes with Native AOT turns
/// startup hooks off in its JIT build's runtime configuration too (<c>System.StartupHookProvider.IsSupported</c>);
/// such a job is run as <c>dotnet exec --runtimeconfig COPY</c>, with a copy of its configuration that differs only in
/// allowing them (see <see cref="AllowingStartupHook"/>).
/// </summary>
internal readonly record struct GcCounts(int Gen0, int Gen1, int Gen2)
{
    /// <summary>The environment variable that asks for the line at exit.</summary>
    public const string Variable = "COMPILED_ENDTOEND_GC_COUNTS";

    private const string Prefix = "gc-counts: ";

    /// <summary>The counts in the last <c>gc-counts:</c> line of <paramref name="errors"/>, or <see langword="null"/> if it has none.</summary>
    public static GcCounts? Find(string errors)
    {
        int at = errors.LastIndexOf(Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        int end = errors.IndexOf('\n', at);
        string[] counts = errors[(at + Prefix.Length)..(end < 0 ? errors.Length : end)].Trim().Split(' ');
        return new GcCounts(
            int.Parse(counts[0], CultureInfo.InvariantCulture),
            int.Parse(counts[1], CultureInfo.InvariantCulture),
            int.Parse(counts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The arguments of <c>dotnet</c> for <paramref name="arguments"/> (a DLL, then its own): as they are, or, if the
    /// DLL's runtime configuration turns startup hooks off, <c>exec --runtimeconfig COPY</c> first, where COPY (written
    /// into <paramref name="directory"/>) is that configuration with them allowed and nothing else changed.
    /// </summary>
    public static IReadOnlyList<string> AllowingStartupHook(IReadOnlyList<string> arguments, string directory)
    {
        const string Switch = "System.StartupHookProvider.IsSupported";
        string configPath = arguments.Count > 0 && arguments[0].EndsWith(".dll", StringComparison.Ordinal)
            ? Path.ChangeExtension(arguments[0], ".runtimeconfig.json")
            : "";
        if (!File.Exists(configPath))
        {
            return arguments;
        }

        JsonNode config = JsonNode.Parse(File.ReadAllText(configPath))!;
        if (config["runtimeOptions"]?["configProperties"] is not JsonObject properties || properties[Switch]?.GetValue<bool>() != false)
        {
            return arguments;
        }

        properties[Switch] = true;
        string copy = Path.Combine(directory, Path.GetFileNameWithoutExtension(arguments[0]) + ".hook-allowed.runtimeconfig.json");
        File.WriteAllText(copy, config.ToJsonString());
        return ["exec", "--runtimeconfig", copy, .. arguments];
    }

    // Runs when this assembly is loaded, as the jobs' own or as a startup hook: asks for the line at exit if told to.
    [ModuleInitializer]
    internal static void ReportAtExitIfAsked()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "1")
        {
            AppDomain.CurrentDomain.ProcessExit += static (_, _) =>
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)}"));
        }
    }
}

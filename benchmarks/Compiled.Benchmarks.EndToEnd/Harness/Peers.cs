namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// The jobs of benchmarks/Compiled.Benchmarks.Peers: each job written with a library .NET users pick, as the name the
/// table gives it and the command that runs it (<c>dotnet Compiled.Benchmarks.Peers.dll COMMAND INPUT OUTPUT</c>).
/// </summary>
internal static class Peers
{
    /// <summary>The word count's peers.</summary>
    public static readonly (string Library, string Command)[] WordCount =
    [
        ("LINQ", "linq-wordcount"),
        ("System.Reactive", "rx-wordcount"),
        ("TPL Dataflow", "dataflow-wordcount"),
        ("Akka.Streams", "akka-wordcount"),
    ];

    /// <summary>The Q5-style job's peers.</summary>
    public static readonly (string Library, string Command)[] Hottest =
    [
        ("LINQ", "linq-hottest"),
        ("System.Reactive", "rx-hottest"),
        ("TPL Dataflow", "dataflow-hottest"),
        ("Akka.Streams", "akka-hottest"),
    ];

    /// <summary>The peers of Nexmark <paramref name="query"/> (q1 or q2): commands <c>linq-q1</c>, <c>rx-q1</c>, ...</summary>
    public static (string Library, string Command)[] Nexmark(string query) =>
    [
        ("LINQ", "linq-" + query),
        ("System.Reactive", "rx-" + query),
        ("TPL Dataflow", "dataflow-" + query),
        ("Akka.Streams", "akka-" + query),
    ];
}

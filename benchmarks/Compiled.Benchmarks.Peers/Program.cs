using Compiled.Benchmarks.Peers;
using Compiled.Benchmarks.Peers.WordCount;

// The peers of the end-to-end yardstick: one job written with one library per command, run as a process by the
// harness in benchmarks/Compiled.Benchmarks.EndToEnd. Each command reads INPUT and writes its answer to the file
// OUTPUT in the format the harness checks (the same as the hand-written job's and the compiled sample's):
//   linq-wordcount | rx-wordcount | dataflow-wordcount | akka-wordcount INPUT OUTPUT
//       the words of INPUT (runs of bytes other than the space and the newline) counted, as (word,count) lines
if (args.Length != 3)
{
    return Usage();
}

string input = args[1];
string output = args[2];
switch (args[0])
{
    case "linq-wordcount":
        WordCountFile.Write(output, LinqWordCount.Count(input));
        return 0;

    case "rx-wordcount":
        WordCountFile.Write(output, await RxWordCount.Count(input));
        return 0;

    case "dataflow-wordcount":
        WordCountFile.Write(output, await DataflowWordCount.Count(input));
        return 0;

    case "akka-wordcount":
        WordCountFile.Write(output, await AkkaWordCount.Count(input));
        return 0;

    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine(
        "Usage: (linq|rx|dataflow|akka)-wordcount INPUT OUTPUT. " +
        "Run benchmarks/Compiled.Benchmarks.EndToEnd/run.sh to build everything and run the harness with these jobs.");
    return 2;
}

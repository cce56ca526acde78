using Compiled.Benchmarks.Peers;
using Compiled.Benchmarks.Peers.Hottest;
using Compiled.Benchmarks.Peers.Nexmark;
using Compiled.Benchmarks.Peers.WordCount;

// The peers of the end-to-end yardstick: one job written with one library per command, run as a process by the
// harness in benchmarks/Compiled.Benchmarks.EndToEnd. Each command reads INPUT and writes its answer to the file
// OUTPUT in the format the harness checks (the same as the hand-written job's and the compiled sample's):
//   linq-wordcount | rx-wordcount | dataflow-wordcount | akka-wordcount INPUT OUTPUT
//       the words of INPUT (runs of bytes other than the space and the newline) counted, as (word,count) lines
//   linq-tcp-wordcount | rx-tcp-wordcount | dataflow-tcp-wordcount | akka-tcp-wordcount HOST:PORT OUTPUT
//       the same word count of the lines a TCP server sends until it closes, read through a NetworkStream
//   linq-hottest | rx-hottest | dataflow-hottest | akka-hottest BIDS OUTPUT
//       the Q5-style job: in each 10 s window of event time, sliding every 2 s, the auctions with the most bids of the
//       Nexmark bid file BIDS, as (windowStart,auction,bids) lines
//   linq-q1 | rx-q1 | dataflow-q1 | akka-q1 | linq-q2 | rx-q2 | dataflow-q2 | akka-q2 BIDS OUTPUT
//       Nexmark Q1 (auction,bidder,price*89/100,dateTime for every bid) or Q2 ((auction,price) for the bids on auctions
//       that are multiples of 123) over the Nexmark bid file BIDS, as samples/Nexmark's file sink writes them
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

    case "linq-tcp-wordcount":
        WordCountFile.Write(output, LinqWordCount.Count(TcpLines.Read(input)));
        return 0;

    case "rx-tcp-wordcount":
        WordCountFile.Write(output, await RxWordCount.Count(TcpLines.Read(input)));
        return 0;

    case "dataflow-tcp-wordcount":
        WordCountFile.Write(output, await DataflowWordCount.Count(TcpLines.Read(input)));
        return 0;

    case "akka-tcp-wordcount":
        WordCountFile.Write(output, await AkkaWordCount.Count(TcpLines.Bytes(input)));
        return 0;

    case "linq-hottest":
        HotBids.Write(output, LinqHottest.Run(input));
        return 0;

    case "rx-hottest":
        HotBids.Write(output, await RxHottest.Run(input));
        return 0;

    case "dataflow-hottest":
        HotBids.Write(output, await DataflowHottest.Run(input));
        return 0;

    case "akka-hottest":
        HotBids.Write(output, await AkkaHottest.Run(input));
        return 0;

    case "linq-q1" or "linq-q2":
        LinqNexmark.Run(args[0][^2..], input, output);
        return 0;

    case "rx-q1" or "rx-q2":
        await RxNexmark.Run(args[0][^2..], input, output);
        return 0;

    case "dataflow-q1" or "dataflow-q2":
        await DataflowNexmark.Run(args[0][^2..], input, output);
        return 0;

    case "akka-q1" or "akka-q2":
        await AkkaNexmark.Run(args[0][^2..], input, output);
        return 0;

    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine(
        "Usage: (linq|rx|dataflow|akka)-wordcount INPUT OUTPUT | (linq|rx|dataflow|akka)-tcp-wordcount HOST:PORT OUTPUT | (linq|rx|dataflow|akka)-hottest BIDS OUTPUT | (linq|rx|dataflow|akka)-(q1|q2) BIDS OUTPUT. " +
        "Run benchmarks/Compiled.Benchmarks.EndToEnd/run.sh to build everything and run the harness with these jobs.");
    return 2;
}

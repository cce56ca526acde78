using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using Compiled.Benchmarks;
using Compiled.Benchmarks.Profiling;

// 'profile <variant> [batches]' runs one variant in a plain loop, for callgrind and the JIT's disassembly;
// 'compare <baseline> <other> [rounds]' alternates two variants and prints the median of their ratios.
// 'windows [rounds] ...' and 'events [minutes] ...' run the windowed variants in turn, timing each batch's
// Process and its boundary apart (Profiling/WindowSplit.cs). 'checkpoints [rounds] [megabytes]' runs the word counts
// end to end with and without a checkpoint after every batch (Checkpoints/CheckpointThroughput.cs). 'keytables [rounds] [sizes]'
// runs the key-table word counts alternately and prints paired ratios, at 1,000, 100,000 and 1,000,000 distinct keys or the
// comma-separated sizes given (Micro/Keys/KeyTableRounds.cs); 'keykinds [rounds]'
// runs reduceByKey with byte-span, string and struct keys alternately (Micro/Keys/KeyKindRounds.cs). 'bids [rounds]
// [megabytes]' runs the Q1-style bid parse four ways in interleaved rounds (Parsing/BidParseRounds.cs). 'csv [rounds] [rows]'
// runs the generated CSV record parser and Sep over the same bytes in interleaved rounds (Records/CsvParseRounds.cs);
// 'json [rounds] [rows]' the generated JSON-lines parser and JsonSerializer (Records/JsonParseRounds.cs); 'jsonprune
// [rounds] [rows] [other-order]' it and two pipelines reading every member of a quote and some of them (Records/JsonPruneRounds.cs).
// 'updatestate [rounds] [keys]' ends an [UpdateStateByKey] store's batch as one partition does and as the job's store on
// 2 partitions does, its updates worked out side by side (Micro/State/UpdateStateRounds.cs).
if (args.Length > 0 && args[0] == "profile")
{
    return ProfileLoop.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "compare")
{
    return ProfileLoop.Compare(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "windows")
{
    return WindowSplit.RunSliding(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "checkpoints")
{
    return Compiled.Benchmarks.Checkpoints.CheckpointThroughput.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "keytables")
{
    return Compiled.Benchmarks.Micro.Keys.KeyTableRounds.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "updatestate")
{
    return Compiled.Benchmarks.Micro.State.UpdateStateRounds.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "keykinds")
{
    return Compiled.Benchmarks.Micro.Keys.KeyKindRounds.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "bids")
{
    return Compiled.Benchmarks.Parsing.BidParseRounds.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "jsonprune")
{
    return Compiled.Benchmarks.Records.JsonPruneRounds.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "json")
{
    return Compiled.Benchmarks.Records.JsonParseRounds.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "csv")
{
    return Compiled.Benchmarks.Records.CsvParseRounds.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "events")
{
    return WindowSplit.RunEvents(args.AsSpan(1));
}

IConfig config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(ThroughputColumn.MegabytesPerSecond, ThroughputColumn.NanosecondsPerRecord, ThroughputColumn.Record)
    .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
    .HideColumns("Namespace", "Gen0", "Gen1", "Gen2")
    .WithOptions(ConfigOptions.JoinSummary);

BenchmarkSwitcher.FromAssembly(typeof(ThroughputColumn).Assembly).Run(args, config);
return 0;

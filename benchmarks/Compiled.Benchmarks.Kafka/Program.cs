using Compiled.Benchmarks.Kafka.Comparison;

// "compare ..." runs the comparison (Comparison/KafkaComparison.cs); anything else runs the compiled job, with the
// command line every pipeline has (--source kafka://..., --sink file://..., --batch-interval ...).
if (args.Length > 0 && args[0] == "compare")
{
    return KafkaComparison.Run(args[1..]);
}

return await Compiled.Benchmarks.Kafka.Pipeline.TopicWordCount.RunAsync(args);

// The executable: parses --source, --sink, --batch-interval, --checkpoint and runs the pipeline until Ctrl+C or SIGTERM.
return await Samples.KafkaWordCount.KafkaWordCount.RunAsync(args);

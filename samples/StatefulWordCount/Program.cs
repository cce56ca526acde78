// The executable: parses --source, --sink, --batch-interval and runs the pipeline until its input ends or Ctrl+C.
// "running" first runs RunningWordCount, the running count per word kept record by record, instead.
return args.Length > 0 && args[0] == "running"
    ? await Samples.StatefulWordCount.RunningWordCount.RunAsync(args[1..])
    : await Samples.StatefulWordCount.StatefulWordCount.RunAsync(args);

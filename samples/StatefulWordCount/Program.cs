// The executable: parses --source, --sink, --batch-interval and runs the pipeline until its input ends or Ctrl+C.
return await Samples.StatefulWordCount.StatefulWordCount.RunAsync(args);

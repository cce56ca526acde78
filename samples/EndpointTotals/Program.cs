// The executable: parses --source, --sink, --batch-interval, --checkpoint and runs the pipeline until its input ends or Ctrl+C.
return await Samples.EndpointTotals.EndpointTotals.RunAsync(args);

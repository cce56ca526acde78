// The executable: takes the monitor's --max-endpoints, then parses --source, --sink, --batch-interval and runs the
// pipeline until its input ends or Ctrl+C.
using Compiled.Hosting;
using Samples.LogMonitor;

string? problem = MonitorOptions.TryTake(args, out string[] pipelineArgs, out int maxEndpoints);
if (problem is not null)
{
    Console.Error.WriteLine($"error: {problem}. Run with --help to see the options.");
    return PipelineProgram.ExitUsage;
}

LogMonitor.Endpoints.Reset(maxEndpoints);
int exitCode = await LogMonitor.RunAsync(pipelineArgs);
if (MonitorOptions.AsksForHelp(pipelineArgs))
{
    Console.WriteLine();
    Console.WriteLine(MonitorOptions.Help);
}

return exitCode;

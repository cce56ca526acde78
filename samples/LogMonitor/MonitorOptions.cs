using System.Globalization;

namespace Samples.LogMonitor;

/// <summary>
/// The monitor's own command-line option, <c>--max-endpoints N</c> (or <c>--max-endpoints=N</c>): how many endpoints
/// have a row at a time (<see cref="LogMonitor.Endpoints"/>). It is taken out of the arguments before the pipeline's
/// own (<c>--source</c>, <c>--sink</c>, <c>--batch-interval</c>, <c>--log-level</c>) are parsed.
/// </summary>
public static class MonitorOptions
{
    /// <summary>The option's name.</summary>
    public const string MaxEndpoints = "--max-endpoints";

    /// <summary>The option's line in <c>--help</c>.</summary>
    public static string Help { get; } =
        $"LogMonitor's own option:{Environment.NewLine}" +
        $"  {MaxEndpoints} N  How many endpoints have a row at a time, 1 to {EndpointBudget.MaxCapacity}; the requests of the others are counted under (other). Default: {LogMonitor.DefaultMaxEndpoints}.";

    /// <summary>
    /// Takes <c>--max-endpoints</c> out of <paramref name="args"/>: returns <see langword="null"/> and the rest of the
    /// arguments in <paramref name="pipelineArgs"/>, with the value given or <see cref="LogMonitor.DefaultMaxEndpoints"/>
    /// in <paramref name="maxEndpoints"/>; or what is wrong with the option, for a usage error.
    /// </summary>
    public static string? TryTake(string[] args, out string[] pipelineArgs, out int maxEndpoints)
    {
        ArgumentNullException.ThrowIfNull(args);
        maxEndpoints = LogMonitor.DefaultMaxEndpoints;
        pipelineArgs = args;
        var rest = new List<string>(args.Length);
        string? given = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? value;
            if (arg == MaxEndpoints)
            {
                value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            }
            else if (arg.StartsWith(MaxEndpoints + "=", StringComparison.Ordinal))
            {
                value = arg[(MaxEndpoints.Length + 1)..];
            }
            else
            {
                rest.Add(arg);
                continue;
            }

            if (given is not null)
            {
                return $"{MaxEndpoints} is given twice ('{given}' and '{value}'); give it once";
            }

            if (value is null)
            {
                return $"{MaxEndpoints} needs a value: a whole number of endpoints from 1 to {EndpointBudget.MaxCapacity}";
            }

            given = value;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out maxEndpoints) || maxEndpoints < 1 || maxEndpoints > EndpointBudget.MaxCapacity)
            {
                maxEndpoints = LogMonitor.DefaultMaxEndpoints;
                return $"{MaxEndpoints} '{value}' is not a whole number from 1 to {EndpointBudget.MaxCapacity}";
            }
        }

        pipelineArgs = [.. rest];
        return null;
    }

    /// <summary>Whether the arguments ask for help, as the pipeline's command line reads them.</summary>
    public static bool AsksForHelp(string[] args) => args.Any(arg => arg is "-h" or "/h" or "--help" or "-?" or "/?");
}

using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;
using System.Text;
using Compiled.Connectors;
using Compiled.Internal;
using Microsoft.Extensions.Logging;

namespace Compiled.Hosting;

/// <summary>
/// The command line of a pipeline's executable: <c>--source</c>, <c>--sink</c>, <c>--batch-interval</c>,
/// <c>--checkpoint</c>, <c>--log-level</c>, <c>--help</c>. The generated <c>RunAsync(string[] args)</c> of every pipeline calls it.
/// </summary>
/// <remarks>
/// Exit codes: 0 when the input ended or a stop (SIGINT as Ctrl+C sends it, SIGTERM, SIGHUP) was honoured, the batch
/// in flight committed at once; 1 when the pipeline failed, a closed or full standard output among the causes (as a
/// Unix tool ends on a write error: .NET ignores SIGPIPE); 2 for a bad argument or URI, or a checkpoint the run refuses; 128 + N when a second signal
/// N abandoned the batch in flight: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP (the process ends at most five
/// seconds after that signal even if an operator or a write to standard output does not return; a third signal ends
/// it at once, by the signal's default action). Standard output carries only what the <c>console</c> sink prints;
/// logs and errors go to standard error.
/// </remarks>
public static class PipelineProgram
{
    /// <summary>Exit code of a run that ended normally.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code of a run that failed.</summary>
    public const int ExitFailed = 1;

    /// <summary>Exit code for a bad command line.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code of a run abandoned by a second Ctrl+C (SIGINT); a second signal N exits 128 + N (see <see cref="ExitCodeOf"/>).</summary>
    public const int ExitAborted = 130;

    /// <summary>Parses <paramref name="args"/>, runs <paramref name="definition"/> until its input ends or it is stopped, and returns the exit code.</summary>
    public static Task<int> RunAsync(PipelineDefinition definition, string[] args) =>
        RunAsync(definition, args, Console.Error, configure: null);

    /// <summary>
    /// Like <see cref="RunAsync(PipelineDefinition, string[])"/>, writing messages to <paramref name="error"/> and
    /// letting <paramref name="configure"/> adjust the run's options (a test's clock or streams).
    /// </summary>
    public static async Task<int> RunAsync(PipelineDefinition definition, string[] args, TextWriter error, Action<PipelineRunOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);

        var sourceOption = new Option<string[]>("--source")
        {
            Description = "Where a source reads: URI, or NAME=URI when the pipeline has several sources. Repeatable.",
            HelpName = "[NAME=]URI",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var sinkOption = new Option<string[]>("--sink")
        {
            Description = "Where a sink writes: URI, or NAME=URI when the pipeline has several sinks. Repeatable.",
            HelpName = "[NAME=]URI",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var intervalOption = new Option<string?>("--batch-interval")
        {
            Description = $"The micro-batch interval, {DurationText.Usage}; {DurationText.TimerRange}. Default: {DurationText.Format(definition.BatchInterval)}.",
            HelpName = "DURATION",
        };
        var logLevelOption = new Option<string?>("--log-level")
        {
            Description = "How much to log to standard error: trace, debug, information, warning, error or none. Default: information.",
            HelpName = "LEVEL",
        };
        var checkpointOption = new Option<string?>("--checkpoint")
        {
            Description = "A directory where the job records, after each batch, its state and where each source was; a restart resumes from the last complete batch." +
                (definition.Checkpoint is { } declared ? $" Default: {declared}." : " Default: none (nothing is kept)."),
            HelpName = "DIR",
        };
        var parallelismOption = new Option<string?>("--parallelism")
        {
            Description = "How many partitions read and process the input side by side, each on its own thread: a file is split into N byte ranges cut at " +
                "line ends, and each batch's keyed partials are merged before the batch is emitted. " +
                $"Default: the number of cores ({PipelineRunOptions.DefaultParallelism} here), as many as the input has {PipelineRunOptions.MinBytesPerDefaultPartition >> 20} MiB for. " +
                (definition.MaxParallelism > 1
                    ? "This pipeline can run on N partitions when it reads files (not watched), or one Kafka topic of N partitions or more (--parallelism given), or one byte stream (tcp:// without wal, stdin:; --parallelism given), and its sinks can take a partition's records (file:// and parquet:// sinks write a file per partition per batch, other sinks hold them until the batch ends; a parquet:// sink of several batches per file cannot); a checkpoint of files written on N partitions resumes on N, one of a Kafka topic on any number."
                    : $"This pipeline runs on one partition: {definition.SinglePartitionReason}."),
            HelpName = "N",
        };
        var maxBatchBytesOption = new Option<string?>("--max-batch-bytes")
        {
            Description = "The most bytes of input a batch takes before it ends, whatever its interval: a replay of a file comes in batches of that size, " +
                "so windows close and memory follows a batch as it goes. A number of bytes, or with KiB, MiB or GiB, e.g. 64MiB. Default: no bound.",
            HelpName = "SIZE",
        };
        var deadLettersOption = new Option<string?>("--dead-letters")
        {
            Description = "Where bad records go, one JSON line each, when a record's or a stage's policy is DeadLetter: a file path or file:// URI. " +
                "Default: dead-letters.jsonl in the checkpoint directory when there is one; otherwise none (DeadLetter then counts and skips).",
            HelpName = "URI",
        };
        var onErrorOption = new Option<string?>("--on-error")
        {
            Description = "What an exception a [Map], [Filter] or [FlatMap] throws on one record does, for every such stage: fail, skip or dead-letter. " +
                "Default: each stage's OnError, else the pipeline's, else fail.",
            HelpName = "POLICY",
        };
        // The description (the plan, the sources and sinks, every connector's URI) is written for --help alone.
        var root = new RootCommand { sourceOption, sinkOption, intervalOption, parallelismOption, maxBatchBytesOption, checkpointOption, deadLettersOption, onErrorOption, logLevelOption };

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            return Usage(error, parsed.Errors[0].Message);
        }

        if (parsed.Action is HelpAction)
        {
            root.Description = Describe(definition);
        }

        int exitCode = ExitOk;
        root.SetAction(async (result, _) =>
        {
            exitCode = await RunParsedAsync(definition, result, sourceOption, sinkOption, intervalOption, (parallelismOption, maxBatchBytesOption), checkpointOption, (deadLettersOption, onErrorOption), logLevelOption, error, configure).ConfigureAwait(false);
        });

        // Signals are handled by the run (StopSignals), so that a stop finishes the batch in flight instead of killing the process.
        int invoked = await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
        return invoked != 0 ? invoked : exitCode;
    }

    private static async Task<int> RunParsedAsync(
        PipelineDefinition definition,
        ParseResult parsed,
        Option<string[]> sourceOption,
        Option<string[]> sinkOption,
        Option<string?> intervalOption,
        (Option<string?> Parallelism, Option<string?> MaxBatchBytes) sizeOptions,
        Option<string?> checkpointOption,
        (Option<string?> DeadLetters, Option<string?> OnError) badRecordOptions,
        Option<string?> logLevelOption,
        TextWriter error,
        Action<PipelineRunOptions>? configure)
    {
        var options = new PipelineRunOptions();
        string? problem =
            MissingValue(parsed, sourceOption, "source")
            ?? MissingValue(parsed, sinkOption, "sink")
            ?? BindUris(parsed.GetValue(sourceOption), definition.Sources.Select(s => s.Name).ToArray(), "source", options.SourceUris)
            ?? BindUris(parsed.GetValue(sinkOption), definition.Sinks.Select(s => s.Name).ToArray(), "sink", options.SinkUris);
        if (problem is not null)
        {
            return Usage(error, problem);
        }

        string? intervalText = parsed.GetValue(intervalOption);
        if (intervalText is not null)
        {
            if (!DurationText.TryParseTimer(intervalText, out TimeSpan interval, out string wrong))
            {
                return Usage(error, $"--batch-interval '{intervalText}' {wrong}");
            }

            options.BatchInterval = interval;
        }

        Option<string?> parallelismOption = sizeOptions.Parallelism;
        if (parsed.GetResult(parallelismOption) is not null)
        {
            string? text = parsed.GetValue(parallelismOption);
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int parallelism) || parallelism < 1 || parallelism > PipelineRunOptions.MaxParallelism)
            {
                return Usage(error, $"--parallelism '{text}' is not a number of partitions; give a whole number from 1 to {PipelineRunOptions.MaxParallelism}, e.g. --parallelism {Environment.ProcessorCount}");
            }

            options.Parallelism = parallelism;
        }

        if (parsed.GetResult(sizeOptions.MaxBatchBytes) is not null)
        {
            string? text = parsed.GetValue(sizeOptions.MaxBatchBytes);
            if (!ByteSizeText.TryParse(text, out long bytes))
            {
                return Usage(error, $"--max-batch-bytes '{text}' is not a size; give a number of bytes, or of KiB, MiB or GiB, at least 1, e.g. --max-batch-bytes 64MiB");
            }

            options.MaxBatchBytes = bytes;
        }

        if (parsed.GetResult(checkpointOption) is not null)
        {
            string? checkpoint = parsed.GetValue(checkpointOption);
            if (string.IsNullOrEmpty(checkpoint))
            {
                return Usage(error, "--checkpoint needs a directory after it, e.g. --checkpoint /var/lib/wordcount");
            }

            options.Checkpoint = checkpoint;
        }

        if (parsed.GetResult(badRecordOptions.DeadLetters) is not null)
        {
            string? deadLetters = parsed.GetValue(badRecordOptions.DeadLetters);
            if (string.IsNullOrEmpty(deadLetters))
            {
                return Usage(error, "--dead-letters needs a file after it, e.g. --dead-letters /var/lib/job/dead-letters.jsonl");
            }

            options.DeadLetters = deadLetters;
        }

        if (parsed.GetResult(badRecordOptions.OnError) is not null)
        {
            string? policy = parsed.GetValue(badRecordOptions.OnError);
            options.OnError = BadRecordPolicyText.Parse(policy);
            if (options.OnError is null)
            {
                return Usage(error, $"--on-error '{policy}' is not a policy; write {BadRecordPolicyText.Words}");
            }
        }

        LogLevel level = LogLevel.Information;
        string? levelText = parsed.GetValue(logLevelOption);
        if (levelText is not null && !TryParseLevel(levelText, out level))
        {
            return Usage(error, $"--log-level '{levelText}' is not a level; write trace, debug, information, warning, error or none");
        }

        // Every log line goes to standard error, so that standard output carries only the console sink's records.
        using ILoggerFactory loggers = StandardErrorLogger.CreateFactory(Console.Error, level);
        options.LoggerFactory = loggers;
        configure?.Invoke(options);

        PipelineRun run;
        try
        {
            run = new PipelineRun(definition, options);
        }
        catch (Exception bad) when (bad is ConnectorUriException or BatchIntervalException)
        {
            return Usage(error, bad.Message);
        }
        catch (CheckpointRefusedException refused)
        {
            // Refused before any input is read: the message names the file, what is wrong and the ways on.
            error.WriteLine($"error: {refused.Message}");
            return ExitUsage;
        }

        // Every stop signal is a graceful stop the first time, an abort the second, and its default action the third.
        using var signals = new StopSignals(definition.Name, error);
        await using (run.ConfigureAwait(false))
        {
            try
            {
                await run.RunAsync(signals.Stop, signals.Abort).ConfigureAwait(false);
                return ExitOk;
            }
            catch (OperationCanceledException) when (signals.Abort.IsCancellationRequested)
            {
                StopSignals.TryWriteLine(error, $"{definition.Name}: abandoned; the batch in flight was not committed");
                return signals.AbortExitCode;
            }
            catch (PipelineFailedException failed)
            {
                StopSignals.TryWriteLine(error, $"error: {failed.Message}");
                return ExitFailed;
            }
        }
    }

    // An option that takes a URI, given without one (last on the line, or followed by another option), would
    // otherwise leave the declared default in force and run it: it is a usage error, as a missing duration is.
    private static string? MissingValue(ParseResult parsed, Option<string[]> option, string role)
    {
        if (parsed.GetResult(option) is not { } result || result.Tokens.Count >= result.IdentifierTokenCount)
        {
            return null;
        }

        string example = ConnectorRegistry.Example(role);
        return $"{option.Name} needs a value after it: a URI, or NAME=URI, e.g. {option.Name} {example}";
    }

    /// <summary>
    /// The exit code of a process ended by <paramref name="signal"/>, as a Unix shell reports one killed by it: 128 + the
    /// signal's number: SIGHUP 129, SIGINT 130, SIGTERM 143, the signals a pipeline's process stops on.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> is not SIGHUP, SIGINT or SIGTERM.</exception>
    public static int ExitCodeOf(PosixSignal signal) => 128 + signal switch
    {
        // PosixSignal's values are not the signals' numbers (they are negative, the same on every platform); these
        // are POSIX's, the same on Linux and macOS.
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "A pipeline's process stops on SIGHUP, SIGINT or SIGTERM only; give one of those."),
    };

    // Binds "URI" or "NAME=URI" values to the declared names; returns a message when one cannot be bound.
    private static string? BindUris(string[]? values, string[] names, string role, IDictionary<string, string> into)
    {
        foreach (string value in values ?? [])
        {
            string name;
            string uri;
            int equals = value.IndexOf('=');
            int colon = value.IndexOf(':');
            if (equals > 0 && (colon < 0 || equals < colon) && IsIdentifier(value.AsSpan(0, equals)))
            {
                name = value[..equals];
                uri = value[(equals + 1)..];
                if (!names.Contains(name, StringComparer.Ordinal))
                {
                    return $"--{role} {value}: this pipeline has no {role} named '{name}'; its {role}s are {string.Join(", ", names)}";
                }
            }
            else if (names.Length == 1)
            {
                name = names[0];
                uri = value;
            }
            else
            {
                return $"--{role} {value}: this pipeline has {names.Length} {role}s; write --{role} NAME=URI with NAME one of {string.Join(", ", names)}";
            }

            if (!into.TryAdd(name, uri))
            {
                return $"--{role} is given twice for '{name}'; give it once";
            }
        }

        return null;
    }

    private static bool IsIdentifier(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !(char.IsLetter(text[0]) || text[0] == '_'))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseLevel(string text, out LogLevel level)
    {
        level = text.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "information" or "info" => LogLevel.Information,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "none" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= 0;
    }

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine($"error: {message.TrimEnd('.')}. Run with --help to see the options.");
        return ExitUsage;
    }

    private static string Describe(PipelineDefinition definition)
    {
        var text = new StringBuilder();
        text.Append("Runs the compiled pipeline ").Append(definition.Name).Append(" until its input ends or Ctrl+C.").AppendLine();
        text.Append("Plan: ").Append(definition.Plan).AppendLine().AppendLine();
        text.AppendLine("Sources:");
        foreach (SourceDeclaration source in definition.Sources)
        {
            text.Append("  ").Append(source.Name).Append(" (").Append(source.Format).Append(")  default: ")
                .Append(source.DefaultUri ?? "none, --source is required").AppendLine();
        }

        text.AppendLine("Sinks:");
        foreach (SinkDeclaration sink in definition.Sinks)
        {
            text.Append("  ").Append(sink.Name).Append(' ').Append(sink.Record).Append("  default: ")
                .Append(sink.DefaultUri ?? "none, --sink is required").AppendLine();
        }

        text.AppendLine();
        text.Append("Source URIs: ").Append(ConnectorRegistry.Usage("source")).AppendLine();
        text.Append("Sink URIs:   ").Append(ConnectorRegistry.Usage("sink"));
        return text.ToString();
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compiled.Connectors;

/// <summary>What a source connector is given to work with.</summary>
public sealed class SourceContext
{
    /// <summary>The clock for timeouts, backoff and polling; a fake one in tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where connectors log (reconnects, files picked up).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The pipeline's batch interval: a watched directory is polled this often unless its URI says otherwise.</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Opens the process's standard input for <c>stdin:</c>; tests give another stream.</summary>
    public Func<Stream> OpenStandardInput { get; init; } = Console.OpenStandardInput;

    /// <summary>The directory that relative <c>file:</c> paths are resolved against first.</summary>
    public string CurrentDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>
    /// The run's checkpoint directory, or <see langword="null"/> when it keeps none. A source that cannot be read again
    /// (TCP) keeps its write-ahead log under it.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>The source's declared name in its pipeline.</summary>
    public string SourceName { get; init; } = "";
}

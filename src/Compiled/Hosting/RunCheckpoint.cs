using Compiled.Batching;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Sinks;
using Microsoft.Extensions.Logging;

namespace Compiled.Hosting;

/// <summary>
/// The checkpoint of one run: at start it loads the newest checkpoint in the directory, checks that its state fits the
/// pipeline, and has each source resume after its saved position; after each batch it writes the job's state and the
/// sources' positions (<see cref="IBatchCheckpoint"/>, called by the <see cref="BatchCoordinator"/> between the sinks'
/// two rounds of commits), then tells each source its position is safe.
/// </summary>
internal sealed partial class RunCheckpoint : IBatchCheckpoint, IDisposable
{
    private readonly PipelineDefinition _definition;
    private readonly StateLayout _layout;
    private readonly CheckpointDirectory _directory;
    private readonly Source[] _sources;
    private readonly ILogger _log;
    private readonly CheckpointWriter _writer = new();
    private readonly SavedSource[] _positions;
    private CheckpointReader? _restoring;
    private PipelineJob? _job;

    /// <summary>
    /// Opens the checkpoint directory <paramref name="directory"/> of <paramref name="definition"/> and loads its newest
    /// checkpoint, if any: its state is checked against <paramref name="layout"/> and each of
    /// <paramref name="sources"/> is told where to resume. The state itself is restored into the job by <see cref="Attach"/>.
    /// </summary>
    /// <exception cref="CheckpointRefusedException">The checkpoint cannot be resumed from: the message says why and what to do.</exception>
    public RunCheckpoint(PipelineDefinition definition, StateLayout layout, string directory, string path, Source[] sources, ILogger log)
    {
        _definition = definition;
        _layout = layout;
        _sources = sources;
        _log = log;
        _positions = new SavedSource[sources.Length];
        try
        {
            _directory = new CheckpointDirectory(path, definition.Name);
            if (_directory.TryLoadLatest(out CheckpointReader? latest))
            {
                _restoring = latest;
                Saved = JobCheckpoint.Read(latest!, layout, directory);
                ResumeSources(Saved, latest!.Path);
            }
        }
        catch (Exception refused) when (refused is IOException or UnauthorizedAccessException or CheckpointCorruptException or CheckpointIncompatibleException)
        {
            _restoring?.Dispose();
            _writer.Dispose();
            throw new CheckpointRefusedException(refused.Message, refused);
        }
        catch
        {
            _restoring?.Dispose();
            _writer.Dispose();
            throw;
        }
    }

    /// <summary>What the checkpoint the run resumes from says, or <see langword="null"/> when the directory held none.</summary>
    public SavedRun? Saved { get; }

    /// <summary>The checkpoint directory's full path.</summary>
    public string Path => _directory.Path;

    /// <summary>Gives the run's job the state of the checkpoint it resumes from (if any), and writes its state from now on.</summary>
    /// <exception cref="CheckpointRefusedException">The state does not read as the job's.</exception>
    public void Attach(PipelineJob job)
    {
        _job = job;
        if (_restoring is { } checkpoint)
        {
            try
            {
                job.ReadState(checkpoint);
            }
            catch (CheckpointCorruptException bad)
            {
                throw new CheckpointRefusedException(bad.Message, bad);
            }
            finally
            {
                checkpoint.Dispose();
                _restoring = null;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(BatchInfo batch, CancellationToken cancellationToken)
    {
        if (_job is null)
        {
            throw new InvalidOperationException("The run's checkpoint has no job attached; attach the job before its first batch.");
        }

        for (int i = 0; i < _sources.Length; i++)
        {
            Source source = _sources[i];
            _positions[i] = new SavedSource(_definition.Sources[i].Name, source.Uri.Text, source.Replay.IsReplayable ? source.GetPosition() : null);
        }

        JobCheckpoint.Write(_writer, _definition.Name, _layout, batch, _positions, _job);
        _directory.Write(_writer);
        return default;
    }

    /// <inheritdoc />
    public async ValueTask CompletedAsync(BatchInfo batch, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _sources.Length; i++)
        {
            if (_positions[i].Position is { } position)
            {
                await _sources[i].CheckpointedAsync(position, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Logs what a crash would cost: the sources that cannot be read again and the sinks that may repeat a batch.</summary>
    public void LogGuarantees(IReadOnlyList<Sink> sinks)
    {
        for (int i = 0; i < _sources.Length; i++)
        {
            if (_sources[i].Replay is { IsReplayable: false, Reason: var reason })
            {
                LogNotReplayable(_definition.Sources[i].Name, reason ?? "it reports no positions");
            }
        }

        for (int i = 0; i < sinks.Count; i++)
        {
            if (sinks[i].Guarantee == SinkGuarantee.AtLeastOnce)
            {
                LogAtLeastOnce(_definition.Sinks[i].Name, sinks[i].Uri.Text);
            }
        }

        if (Saved is { } saved)
        {
            LogResuming(_definition.Name, _directory.FileOf(saved.BatchTime), saved.BatchTime);
        }
        else
        {
            LogFresh(_definition.Name, _directory.Path);
        }
    }

    /// <summary>Returns the writer's buffer and closes a checkpoint never attached.</summary>
    public void Dispose()
    {
        _restoring?.Dispose();
        _restoring = null;
        _writer.Dispose();
    }

    // Each bound source resumes after its saved position; a source the checkpoint does not know (added since) starts
    // from its beginning, and a saved source no longer declared is left behind.
    private void ResumeSources(SavedRun saved, string file)
    {
        for (int i = 0; i < _sources.Length; i++)
        {
            string name = _definition.Sources[i].Name;
            SavedSource? source = saved.Sources.FirstOrDefault(s => s.Name == name);
            if (source?.Position is not { } position)
            {
                continue;
            }

            if (!_sources[i].Replay.IsReplayable)
            {
                throw new CheckpointIncompatibleException(file,
                    $"The checkpoint '{file}' holds a position of source '{name}' ({source.Uri}), but the source is now {_sources[i].Uri.Text}, which cannot resume from one ({_sources[i].Replay.Reason}). " +
                    "Bind the source to the URI the checkpoint was written with, or start with a new checkpoint directory.");
            }

            try
            {
                _sources[i].ResumeFrom(position);
            }
            catch (Exception bad) when (bad is SourcePositionException or InvalidDataException)
            {
                throw new CheckpointIncompatibleException(file,
                    $"The checkpoint '{file}' cannot resume source '{name}' at {position.Description}: {bad.Message.TrimEnd('.')}. " +
                    $"The checkpoint was written reading {source.Uri}; bind the source to it again, or start with a new checkpoint directory.");
            }
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Source {Source} cannot be read again after a crash ({Reason}): what it delivered in the batch in flight when the job dies is lost")]
    private partial void LogNotReplayable(string source, string reason);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Sink {Sink} ({Uri}) is at-least-once: after a crash, the output of the batch in flight may be written again")]
    private partial void LogAtLeastOnce(string sink, string uri);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Pipeline {Pipeline} resumes from checkpoint {File}, after the batch of {BatchTime} ms")]
    private partial void LogResuming(string pipeline, string file, long batchTime);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "Pipeline {Pipeline} keeps its checkpoint in {Directory}, empty so far: it starts from the beginning of its input")]
    private partial void LogFresh(string pipeline, string directory);
}

/// <summary>
/// A run refuses the checkpoint it was given: the directory cannot be used, the newest checkpoint is damaged or of
/// another pipeline, its state layout no longer fits the code, or a source cannot resume from it. The message says
/// what is wrong and the ways on; the command line exits 2 with it before reading any input.
/// </summary>
public sealed class CheckpointRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointRefusedException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

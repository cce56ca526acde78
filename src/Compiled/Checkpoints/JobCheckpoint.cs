using System.Globalization;
using Compiled.Hosting;

namespace Compiled.Checkpoints;

/// <summary>
/// What one checkpoint of a job holds, and how it is written and read back: the header (pipeline, state layout
/// fingerprint, batch number and time), the state layout as text (to say what changed when it no longer fits), the
/// run's batch interval and last batch, each source's position after the batch, and the job's state, one section per
/// stateful stage (<see cref="PipelineJob.WriteState"/>). A run and the test driver write the same file.
/// </summary>
public static class JobCheckpoint
{
    /// <summary>The section holding the state layout's text.</summary>
    public const string LayoutSection = "layout";

    /// <summary>The section holding the batch interval and the batch time.</summary>
    public const string RunSection = "run";

    /// <summary>The section holding each source's name, URI and position.</summary>
    public const string SourcesSection = "sources";

    /// <summary>
    /// Writes the checkpoint of <paramref name="batch"/> into <paramref name="writer"/> and completes it: the job's
    /// state after the batch, and <paramref name="sources"/>' positions after it.
    /// </summary>
    public static void Write(CheckpointWriter writer, string pipeline, StateLayout layout, BatchInfo batch, IReadOnlyList<SavedSource> sources, PipelineJob job)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(job);
        writer.Begin(new CheckpointHeader(pipeline, layout.Fingerprint, batch.Index, batch.Time));
        CheckpointWriter.Section section = writer.BeginSection(LayoutSection);
        section.WriteString(layout.ToText());
        section.End();

        section = writer.BeginSection(RunSection);
        section.WriteUnmanaged(layout.IntervalMilliseconds);
        section.WriteUnmanaged(batch.Time);
        section.End();

        section = writer.BeginSection(SourcesSection);
        section.WriteCount((ulong)sources.Count);
        foreach (SavedSource source in sources)
        {
            section.WriteString(source.Name);
            section.WriteString(source.Uri);
            section.WriteBytes(source.Position is null ? [] : source.Position.ToBytes());
        }

        section.End();
        job.WriteState(writer);
        writer.Complete();
    }

    /// <summary>
    /// Reads what a checkpoint says about the run that wrote it, after checking that its state fits
    /// <paramref name="current"/>: the layouts are equal, or differ in nothing that touches state.
    /// </summary>
    /// <param name="checkpoint">The checkpoint, read and checked whole.</param>
    /// <param name="current">The layout of the code and batch interval that run now.</param>
    /// <param name="directory">The checkpoint directory as the user gave it, for messages.</param>
    /// <exception cref="CheckpointIncompatibleException">The checkpoint's state layout is not <paramref name="current"/>'s.</exception>
    /// <exception cref="CheckpointCorruptException">A section is missing or malformed.</exception>
    public static SavedRun Read(CheckpointReader checkpoint, StateLayout current, string directory)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(current);
        CheckpointHeader header = checkpoint.Header;
        CheckpointReader.Section section = checkpoint.GetSection(LayoutSection);
        string layoutText = section.ReadString();
        section.End();
        if (header.LayoutFingerprint != current.Fingerprint)
        {
            StateLayout saved;
            try
            {
                saved = StateLayout.Parse(layoutText);
            }
            catch (FormatException bad)
            {
                throw new CheckpointCorruptException(checkpoint.Path, CheckpointProblem.Malformed,
                    $"section '{LayoutSection}' does not hold a state layout ({bad.Message})",
                    "Start with a new checkpoint directory, or run the pipeline version that wrote the checkpoint.");
            }

            if (StateLayout.Incompatibility(header.PipelineName, directory, saved, current) is { } why)
            {
                throw new CheckpointIncompatibleException(checkpoint.Path, why);
            }
        }

        section = checkpoint.GetSection(RunSection);
        long interval = section.ReadUnmanaged<long>();
        long time = section.ReadUnmanaged<long>();
        section.End();
        if (time != header.BatchTime || interval < 1)
        {
            throw new CheckpointCorruptException(checkpoint.Path, CheckpointProblem.Malformed,
                $"section '{RunSection}' says batch {time.ToString(CultureInfo.InvariantCulture)} ms at an interval of {interval.ToString(CultureInfo.InvariantCulture)} ms, but its header says batch {header.BatchTime.ToString(CultureInfo.InvariantCulture)} ms",
                "Start with a new checkpoint directory.");
        }

        section = checkpoint.GetSection(SourcesSection);
        ulong count = section.ReadCount();
        var sources = new List<SavedSource>();
        for (ulong i = 0; i < count; i++)
        {
            string name = section.ReadString();
            string uri = section.ReadString();
            ReadOnlySpan<byte> position = section.ReadBytes();
            SourcePosition? saved = null;
            if (!position.IsEmpty)
            {
                try
                {
                    saved = SourcePosition.FromBytes(position);
                }
                catch (InvalidDataException bad)
                {
                    throw new CheckpointCorruptException(checkpoint.Path, CheckpointProblem.Malformed,
                        $"the position of source '{name}' does not read ({bad.Message})", "Start with a new checkpoint directory.");
                }
            }

            sources.Add(new SavedSource(name, uri, saved));
        }

        section.End();
        return new SavedRun(header.BatchNumber, header.BatchTime, interval, sources);
    }
}

/// <summary>A source as a checkpoint saw it: its name, its URI, and its position after the batch (none when it cannot be read again).</summary>
public sealed record SavedSource(string Name, string Uri, SourcePosition? Position);

/// <summary>What a checkpoint says about the run that wrote it: its last batch, its interval, and where each source was.</summary>
/// <param name="BatchNumber">The number of the last batch the checkpoint holds.</param>
/// <param name="BatchTime">Its time, in Unix milliseconds.</param>
/// <param name="IntervalMilliseconds">The batch interval the run had.</param>
/// <param name="Sources">Each source's name, URI and position.</param>
public sealed record SavedRun(long BatchNumber, long BatchTime, long IntervalMilliseconds, IReadOnlyList<SavedSource> Sources);

/// <summary>
/// A checkpoint holds state in a layout the running code cannot read (a stateful stage added, removed or changed, or
/// the batch interval changed under a window). The message names each change and the two ways on.
/// </summary>
public sealed class CheckpointIncompatibleException : Exception
{
    /// <summary>Creates the exception for the checkpoint file <paramref name="path"/>.</summary>
    public CheckpointIncompatibleException(string path, string message)
        : base(message)
    {
        Path = path;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }
}

using Compiled.Connectors;
using Compiled.Connectors.Files;
using Compiled.Connectors.Messages;
using Compiled.Hosting.Partitions;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Hosting;

/// <remarks>
/// Partitions. A run runs on <see cref="PipelineRunOptions.Parallelism"/> partitions (by default one per core, as many as
/// its input has <see cref="PipelineRunOptions.MinBytesPerDefaultPartition"/> for) when its pipeline can
/// (<see cref="PipelineDefinition.MaxParallelism"/>) and every source is a file or an unwatched pattern, or its one source
/// is a message source or a byte stream and the parallelism is given; otherwise it runs on one
/// partition as always, and logs why (at Debug level when the parallelism was left to its default). With a
/// checkpoint, each source's position holds what each partition has left, and a restart resumes on as many partitions. On N partitions each
/// source's files, laid end to end, are split into N byte ranges cut at line ends (<see cref="FileRanges"/>), each partition reads its ranges on a
/// thread of its own (<see cref="PartitionThreads"/>), and this loop parks them at each batch boundary, merges their
/// partials into the job, and completes the batch as on one partition. With <see cref="PipelineRunOptions.MaxBatchBytes"/>
/// the files are first cut into sections of that many bytes, each split into N ranges, and the partitions read a
/// section at a time, a batch ending at each section's end; when partition 0 can run apart from the job's state
/// (<see cref="PartitionThreads.ReadsOnDuringCompletion"/>), they read the next section while this loop completes the
/// batch of the last. A message source's partitions are spread over the run's
/// partitions instead (<see cref="MessageSource.OpenForPartitions"/>), each run's partition reading its share on a thread
/// of its own (<see cref="MessageInput"/>); a source of fewer partitions than asked for is read on as many, which is
/// logged, and its position (every topic partition's offset) lets a restart resume on any number. A message source of one
/// stream (Redis, PostgreSQL changes, ZeroMQ, a user's) is read by one reader that deals batches of messages to the
/// partitions (<see cref="MessageStreamInput"/>), each batch a prefix of the stream, so its position at a boundary is one
/// reader's, and a restart resumes on any number. A byte stream that is the run's one source (<c>tcp://</c> without a
/// write-ahead log, <c>stdin:</c>) is received by one reader that deals blocks of whole lines to the partitions
/// (<see cref="StreamInput"/>). Both share the dealing (<see cref="DealingInput{TPiece}"/>).
/// </remarks>
public sealed partial class PipelineRun
{
    // How many partitions the run uses, and, when it could use more than one and uses one, why.
    private (int Count, string? OnePartition) PlanPartitions(PipelineJob job)
    {
        if (ResumedPartitions(job) is int resumed)
        {
            return (resumed, null);
        }

        if (_parallelism == 1)
        {
            return (1, null);
        }

        if (_definition.MaxParallelism == 1)
        {
            return (1, _definition.SinglePartitionReason);
        }

        if (job.SinglePartitionReason is { } bound)
        {
            return (1, bound);
        }

        int count = Math.Min(_parallelism, _definition.MaxParallelism);
        if (_binding.Sources.Length == 1 && _binding.Sources[0] is MessageSource messages)
        {
            return PlanMessagePartitions(messages, count);
        }

        if (_binding.Sources.Length == 1 && StreamInput.Reads(_binding.Sources[0]))
        {
            return PlanStreamPartitions(_binding.Sources[0], count);
        }

        long bytes = 0;
        foreach (Source source in _binding.Sources)
        {
            if (source is MessageSource)
            {
                return (1, $"source {source.Uri.Text} delivers messages, which are read on partitions only when it is the pipeline's one source, and it has {_binding.Sources.Length}");
            }

            if (StreamInput.Reads(source))
            {
                return (1, $"source {source.Uri.Text} is a byte stream, which is dealt to partitions only when it is the pipeline's one source, and it has {_binding.Sources.Length}");
            }

            if (source is not FileSource file)
            {
                return (1, $"source {source.Uri.Text} is not a file, nor a message source of partitions of its own (a Kafka topic), nor a byte stream (tcp://, stdin:); only those are split into partitions");
            }

            if (file.WhyNotSplittable() is { } reason)
            {
                return (1, reason);
            }

            bytes += file.BytesToSplit();
        }

        if (!_parallelismIsSet)
        {
            // Left to the default, a small input stays on one partition: each partition gets at least its share of bytes.
            count = (int)Math.Clamp(bytes / PipelineRunOptions.MinBytesPerDefaultPartition, 1, count);
        }

        return (count, null);
    }

    // How many partitions a run reads its one source, a message source, on: as many as asked for (a parallelism left to
    // its default keeps it on one, since the source's partitions or its rate, not the cores, say how many pay), or as many
    // as the source has partitions of its own when fewer (logged), or one when the source says it cannot be dealt.
    private (int Count, string? OnePartition) PlanMessagePartitions(MessageSource source, int count)
    {
        if (!_parallelismIsSet)
        {
            return (1, $"source {source.Uri.Text} delivers messages, which are read on partitions only when the parallelism is given (--parallelism N, PipelineRunOptions.Parallelism)");
        }

        (int partitions, string? reason) = source.PartitionsFor(count);
        partitions = Math.Clamp(partitions, 1, count);
        if (partitions == 1)
        {
            return (1, reason ?? $"source {source.Uri.Text} is read on one partition");
        }

        if (partitions < count)
        {
            LogFewerPartitions(_definition.Name, partitions, count, reason ?? $"source {source.Uri.Text} is read on at most {partitions}");
        }

        return (partitions, null);
    }

    // How many partitions a run reads its one source, a byte stream (a socket, standard input), on: as many as asked for.
    // A parallelism left to its default keeps it on one, since the stream's rate, not the cores, says whether more pay;
    // a stream with a write-ahead log stays on one, since its positions are its bytes in the order one reader took them.
    private (int Count, string? OnePartition) PlanStreamPartitions(Source source, int count)
    {
        if (!_parallelismIsSet)
        {
            return (1, $"source {source.Uri.Text} is a byte stream, which is dealt to partitions only when the parallelism is given (--parallelism N, PipelineRunOptions.Parallelism)");
        }

        if (source.Replay.IsReplayable)
        {
            return (1, $"source {source.Uri.Text} keeps a write-ahead log (wal=true), whose positions hold each connection's bytes as one partition reads them; " +
                "leave wal out to read the stream on partitions, or keep it to resume the stream from a checkpoint");
        }

        return (count, null);
    }

    // How many partitions the checkpoint the run resumes from was written on, when more than one: the run resumes on as
    // many, whatever its parallelism, since each partition's position is its own. Throws when the run cannot.
    private int? ResumedPartitions(PipelineJob job)
    {
        int? resumed = null;
        foreach (Source source in _binding.Sources)
        {
            if (source is FileSource { PartitionsToResume: int count })
            {
                if (resumed is int other && other != count)
                {
                    throw new SourcePositionException(
                        $"The checkpoint of pipeline {_definition.Name} holds positions of {other} and of {count} partitions for its sources; start from a new checkpoint directory");
                }

                resumed = count;
            }
        }

        if (resumed is not int partitions)
        {
            return null;
        }

        string? refused = _definition.MaxParallelism < partitions ? _definition.SinglePartitionReason ?? $"it runs on at most {_definition.MaxParallelism}" : job.SinglePartitionReason;
        foreach (Source source in _binding.Sources)
        {
            refused ??= source is not FileSource file ? $"source {source.Uri.Text} is not a file"
                : file.PartitionsToResume is null ? file.WhyNotSplittable() ?? $"source {source.Uri.Text} was read on one partition"
                : null;
        }

        if (refused is not null)
        {
            throw new SourcePositionException(
                $"The checkpoint of pipeline {_definition.Name} was written by a run on {partitions} partitions, and this run cannot resume on them: {refused}; " +
                "resume with the pipeline and sources the checkpoint was written with, or start from a new checkpoint directory");
        }

        if (_parallelismIsSet && _parallelism != partitions)
        {
            LogResumedPartitions(_definition.Name, partitions, _parallelism);
        }

        return partitions;
    }

    // The partitions of a run on several: every source's input opened and shared out (files split, a message source's
    // readers opened), and the partitions created (each takes its buffers, or part writers, of the sinks its fused loop
    // writes to); nothing started. Called before the first batch.
    private PartitionThreads CreatePartitions(PipelineJob job, JobContext context, int count)
    {
        var inputs = new List<PartitionInput>(_binding.Sources.Length);
        try
        {
            for (int s = 0; s < _binding.Sources.Length; s++)
            {
                // With MaxBatchBytes, the files are cut into sections of a batch's bytes, which the partitions read together.
                Source source = _binding.Sources[s];
                inputs.Add(source is MessageSource messages
                    ? messages.HasPartitionsOfItsOwn ? new MessageInput(s, messages, messages.OpenForPartitions(count)) : new MessageStreamInput(s, messages, count)
                    : StreamInput.Reads(source) ? new StreamInput(s, source, count, _log)
                    : new FileInput(s, ((FileSource)source).OpenForPartitions(count, _maxBatchBytes ?? long.MaxValue)));
            }

            var threads = new PartitionThreads(job, context, _binding.Sources, inputs, count, _definition.Name, _partitionSinkBufferBytes, WakeLoop,
                readOnDuringCompletion: true);
            if (_maxBatchBytes is long most && !threads.ReadsSections)
            {
                // Files not cut into sections (a source resuming the byte ranges of a run without the bound, or input of
                // one section): each partition takes its share of a batch's bytes (at least one read).
                threads.BatchBytesPerPartition = Math.Max(1, most / count);
            }

            return threads;
        }
        catch
        {
            foreach (PartitionInput input in inputs)
            {
                input.Dispose();
            }

            throw;
        }
    }

    // The loop of a run on several partitions: starts the partitions, and completes batches on time in between, each
    // with the partitions parked and merged. Returns why it ended; disposes the partitions.
    private async Task<BatchEnd> ReadPartitionsAsync(PartitionThreads threads, CancellationToken abortToken)
    {
        int count = threads.Count;
        using (threads)
        using (abortToken.Register(static state => ((PipelineRun)state!).WakeLoop(), this))
        {
            if (threads.ReadsMessages)
            {
                LogMessagePartitions(_definition.Name, count, _binding.Sources[0].Uri.Text);
            }
            else if (_binding.Sources[0] is MessageSource)
            {
                LogMessageStreamPartitions(_definition.Name, count, _binding.Sources[0].Uri.Text);
            }
            else if (StreamInput.Reads(_binding.Sources[0]))
            {
                LogStreamPartitions(_definition.Name, count, _binding.Sources[0].Uri.Text);
            }
            else
            {
                LogPartitions(_definition.Name, count);
            }

            if (threads.ReadsSections)
            {
                LogSections(_definition.Name, Math.Max(_maxBatchBytes ?? 0, FileSource.MinSectionBytes), count);
                if (threads.ReadsOnDuringCompletion)
                {
                    LogReadOn(_definition.Name);
                }
            }

            threads.Start();
            while (true)
            {
                abortToken.ThrowIfCancellationRequested();
                Task wake = ArmWake();
                threads.ThrowIfFailed();
                if (_clock!.IsDue || _stopping || threads.AllEnded || threads.BoundaryRequested)
                {
                    // A partition whose sink buffers are full asks for the batch to end early: it has parked, and the
                    // others park too, so that the merge writes the buffers out and the next batch starts them empty.
                    bool full = threads.BoundaryRequested;
                    bool ended = !_clock.IsDue && !_stopping && !full;
                    await threads.PauseAsync(abortToken).ConfigureAwait(false);
                    threads.ThrowIfFailed();
                    threads.Merge();
                    if (ended)
                    {
                        LogPartitionsEnded(_definition.Name);
                        return BatchEnd.EndOfInput;
                    }

                    // A stop comes first, due or not: the batch in flight is the run's last.
                    if (_stopping)
                    {
                        return _checkpoint is null ? BatchEnd.Stop : BatchEnd.Suspend;
                    }

                    if (full && !_clock.IsDue)
                    {
                        if (threads.BatchFull)
                        {
                            LogBatchFull(_definition.Name, BatchTime, _maxBatchBytes ?? 0);
                        }
                        else
                        {
                            LogBatchEndedEarly(_definition.Name, BatchTime, _partitionSinkBufferBytes);
                        }
                    }

                    if (threads.ReadsOnDuringCompletion && threads.MergedASection)
                    {
                        // At a section's end, with partition 0 apart from the job: the batch's records are all in the
                        // job's tables, so the partitions read the next section while the batch completes, the watermark
                        // they judge it against moved on first, and the records they refuse from here on counted in the next
                        // batch. The next boundary waits for this one to be done.
                        threads.MoveWatermarksOn(_coordinator!.Current.Time);
                        _badRecords.MarkBatchEnd();
                        threads.Resume();
                        await CompleteBatchAsync(BatchEnd.Running, abortToken).ConfigureAwait(false);
                        continue;
                    }

                    await CompleteBatchAsync(BatchEnd.Running, abortToken).ConfigureAwait(false);
                    threads.Resume();
                    continue;
                }

                await Task.WhenAny(wake, threads.Attention).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Pipeline {Pipeline} runs on one partition: {Reason}")]
    private partial void LogOnePartition(string pipeline, string reason);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Pipeline {Pipeline} runs on one partition rather than one per core: {Reason}")]
    private partial void LogOnePartitionByDefault(string pipeline, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Pipeline {Pipeline} runs on {Count} partitions: each file is split into {Count} byte ranges cut at line ends, each read on a thread of its own, and each batch's partials are merged before it is emitted")]
    private partial void LogPartitions(string pipeline, int count);

    [LoggerMessage(EventId = 27, Level = LogLevel.Information, Message = "Pipeline {Pipeline} runs on {Count} partitions: the partitions of {Source} are spread over them, each partition reads its share on a thread of its own, and each batch's partials are merged before it is emitted")]
    private partial void LogMessagePartitions(string pipeline, int count, string source);

    [LoggerMessage(EventId = 29, Level = LogLevel.Information, Message = "Pipeline {Pipeline} runs on {Count} partitions: one reader receives {Source} and deals blocks of whole lines to them, each partition runs its blocks on a thread of its own, and each batch, a prefix of the stream, has its partials merged before it is emitted")]
    private partial void LogStreamPartitions(string pipeline, int count, string source);

    [LoggerMessage(EventId = 47, Level = LogLevel.Information, Message = "Pipeline {Pipeline} runs on {Count} partitions: one reader takes the messages of {Source} in batches and deals them to the partitions, each partition runs its batches on a thread of its own, and each batch, a prefix of the stream, has its partials merged before it is emitted")]
    private partial void LogMessageStreamPartitions(string pipeline, int count, string source);

    [LoggerMessage(EventId = 28, Level = LogLevel.Information, Message = "Pipeline {Pipeline} runs on {Count} partitions rather than the {Asked} asked for: {Reason}")]
    private partial void LogFewerPartitions(string pipeline, int count, int asked, string reason);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Pipeline {Pipeline} reads its input a section of {Bytes} bytes at a time (MaxBatchBytes, --max-batch-bytes): each section is split into {Count} ranges, one per partition, and a batch ends where a section does, so the partitions move through the input together")]
    private partial void LogSections(string pipeline, long bytes, int count);

    [LoggerMessage(EventId = 34, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: at each section's end the partitions read the next section while the batch of the last is emitted and committed; each partition's records reach the job at the boundary")]
    private partial void LogReadOn(string pipeline);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "Pipeline {Pipeline} resumes on {Count} partitions, as its checkpoint was written, not the {Asked} asked for; a new checkpoint directory starts with any")]
    private partial void LogResumedPartitions(string pipeline, int count, int asked);

    [LoggerMessage(EventId = 24, Level = LogLevel.Debug, Message = "Pipeline {Pipeline}: batch {BatchTime} ends early: a partition holds more than {Limit} bytes of records for its sinks and [MapWithState] stages (PartitionSinkBufferBytes), which are written out and mapped at the boundary")]
    private partial void LogBatchEndedEarly(string pipeline, long batchTime, long limit);

    [LoggerMessage(EventId = 42, Level = LogLevel.Debug, Message = "Pipeline {Pipeline}: batch {BatchTime} ends early: it has read {Limit} bytes of input (MaxBatchBytes, --max-batch-bytes)")]
    private partial void LogBatchFull(string pipeline, long batchTime, long limit);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: every partition has read its ranges; the last batch is committed now")]
    private partial void LogPartitionsEnded(string pipeline);
}

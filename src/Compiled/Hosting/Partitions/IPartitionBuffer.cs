namespace Compiled.Hosting.Partitions;

/// <summary>
/// What one more partition keeps of a batch until the boundary besides its sinks' records (the input of a
/// <c>[MapWithState]</c> stage, which the job maps with its state at the boundary). Its size counts towards the
/// partition's limit (<see cref="PipelineRunOptions.PartitionSinkBufferBytes"/>): a partition over it parks and ends the batch early.
/// </summary>
public interface IPartitionBuffer
{
    /// <summary>How many bytes the buffer holds for the batch.</summary>
    long BufferedBytes { get; }
}

namespace Compiled.Checkpoints;

/// <summary>
/// A value or state type that is not an unmanaged struct writes itself into a checkpoint through this interface.
/// The methods are static abstract, so the checkpoint code calls them through a constrained generic parameter:
/// no boxing, no reflection, nothing a Native AOT publish has to keep alive by name.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
/// <remarks>
/// <see cref="ReadFrom"/> must read exactly what <see cref="WriteTo"/> wrote, in the same order; the reader refuses
/// a section that is read past its end or not read to its end (<see cref="CheckpointReader.Section.End"/>).
/// A change to what <see cref="WriteTo"/> writes is a change of the pipeline's state layout.
/// </remarks>
public interface ICheckpointValue<TSelf> where TSelf : ICheckpointValue<TSelf>
{
    /// <summary>Writes <paramref name="value"/> into <paramref name="section"/>.</summary>
    static abstract void WriteTo(in TSelf value, ref CheckpointWriter.Section section);

    /// <summary>Reads a value that <see cref="WriteTo"/> wrote from <paramref name="section"/>.</summary>
    static abstract TSelf ReadFrom(ref CheckpointReader.Section section);
}

namespace Compiled.Checkpoints;

/// <summary>What is wrong with a checkpoint file that cannot be loaded.</summary>
public enum CheckpointProblem
{
    /// <summary>The file ends before its footer: it was cut short, or its writing never finished.</summary>
    Truncated,

    /// <summary>The file does not start with the checkpoint magic: it is not a Compiled checkpoint.</summary>
    WrongMagic,

    /// <summary>The file is of a format version this build cannot read (a newer Compiled wrote it).</summary>
    UnsupportedVersion,

    /// <summary>A checksum does not match: bytes changed after the file was written.</summary>
    ChecksumMismatch,

    /// <summary>The file belongs to another pipeline.</summary>
    ForeignPipeline,

    /// <summary>The file's structure is inconsistent (lengths, counts, a section read past its end or not to it).</summary>
    Malformed,

    /// <summary>A section the restoring pipeline needs is not in the file.</summary>
    MissingSection,
}

namespace Compiled.Sinks.Console;

/// <summary>
/// The <c>console</c> sink could not write to standard output: its reader went away (<c>EPIPE</c>, as when
/// <c>| head</c> has read enough) or the device refused the bytes (<c>ENOSPC</c> of <c>&gt;/dev/full</c>). The run
/// fails with it, as a Unix tool ends on a write error, since nothing more can be printed.
/// </summary>
public sealed class StandardOutputException : IOException
{
    // errno EPIPE, the same on Linux and macOS; .NET gives a Unix I/O error's errno as the exception's HResult.
    private const int BrokenPipe = 32;

    /// <summary>Creates the exception for the write error <paramref name="cause"/>.</summary>
    public StandardOutputException(IOException cause)
        : base(Describe(cause), cause)
    {
        IsClosedByReader = IsBrokenPipe(cause);
    }

    /// <summary>Whether the write failed because the reader of standard output had closed it (<c>EPIPE</c>).</summary>
    public bool IsClosedByReader { get; }

    private static bool IsBrokenPipe(IOException cause) => !OperatingSystem.IsWindows() && cause.HResult == BrokenPipe;

    private static string Describe(IOException cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        string reason = cause.Message.TrimEnd('.');
        return IsBrokenPipe(cause)
            ? $"the console sink cannot write to standard output: {reason} (its reader has gone away); nothing more can be printed"
            : $"the console sink cannot write to standard output: {reason}; nothing more can be printed";
    }
}

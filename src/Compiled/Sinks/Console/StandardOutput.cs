using Microsoft.Win32.SafeHandles;

namespace Compiled.Sinks.Console;

/// <summary>Opens the process's standard output for the <c>console</c> sink.</summary>
/// <remarks>
/// <para>
/// On Unix, a pipe, a terminal or a socket is written through a <see cref="FileStream"/> on file descriptor 1, not
/// through <see cref="System.Console.OpenStandardOutput()"/>, for two reasons. The console stream takes a process-wide
/// lock (the one on <see cref="System.Console.Out"/>) around every write to standard output or standard error, so a
/// write blocked on a pipe nobody reads would block every line written to standard error too, the signal handler's
/// among them. And the console stream ignores <c>EPIPE</c>, so a reader that went away (<c>| head</c>) would go
/// unnoticed and every later batch would be thrown away; the file stream reports it as an <see cref="IOException"/>,
/// as a write error ends a Unix tool whose <c>SIGPIPE</c> is ignored (.NET ignores it). A descriptor its parent
/// left non-blocking is waited on as a blocking one would be (<see cref="PipeOutputStream"/>).
/// </para>
/// <para>
/// A seekable standard output (a regular file, <c>/dev/null</c>, <c>/dev/full</c>) keeps the console stream: a file
/// stream writes at the offset it tracks itself, which would overwrite the log lines of <c>&gt;out.txt 2&gt;&amp;1</c>,
/// where both descriptors share one offset. Such an output never blocks for long, and reports its errors
/// (<c>ENOSPC</c>) either way. Windows keeps the console stream too.
/// </para>
/// </remarks>
internal static class StandardOutput
{
    /// <summary>Opens standard output; the caller disposes the stream, which leaves the descriptor open.</summary>
    public static Stream Open()
    {
        if (OperatingSystem.IsWindows())
        {
            return System.Console.OpenStandardOutput();
        }

        FileStream output;
        try
        {
            output = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Descriptor 1 is not one a file stream accepts (closed, say): the console stream deals with it as it always has.
            return System.Console.OpenStandardOutput();
        }

        if (output.CanSeek)
        {
            output.Dispose();
            return System.Console.OpenStandardOutput();
        }

        return new PipeOutputStream(output);
    }
}

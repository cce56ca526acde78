using System.Runtime.InteropServices;

namespace Compiled.Checkpoints;

/// <summary>
/// Flushes a directory's entries to disk, so a file renamed into it survives a power loss. .NET has no API for it
/// (it will not open a directory as a file), so on Linux and macOS it calls open/fsync/close directly; Windows
/// makes a rename durable with the file itself and needs nothing.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;
    private const int LinuxCloseOnExec = 0x80000;

    /// <summary>Flushes the entries of <paramref name="directory"/>; throws <see cref="IOException"/> if it cannot.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        // A NUL-terminated UTF-8 path passed by reference: a blittable signature, so the call needs no marshalling
        // stub and publishes under Native AOT without unsafe code.
        byte[] path = new byte[System.Text.Encoding.UTF8.GetByteCount(directory) + 1];
        System.Text.Encoding.UTF8.GetBytes(directory, path);
        int fd = Open(ref path[0], OperatingSystem.IsLinux() ? ReadOnly | LinuxCloseOnExec : ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the checkpoint directory '{directory}' to flush it to disk (errno {Marshal.GetLastPInvokeError()}); check that it exists and is readable.");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot flush the checkpoint directory '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}); check the file system.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport rather than LibraryImport: LibraryImport's generated stubs need unsafe code, which this assembly
    // does not allow, and these signatures are blittable, so the runtime needs no marshalling for them either.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(ref byte path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}

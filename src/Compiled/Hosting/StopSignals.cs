using System.Runtime.InteropServices;

namespace Compiled.Hosting;

/// <summary>
/// The stop signals of a pipeline's process (SIGINT, SIGTERM, SIGHUP), handled while a run is in progress: the first is
/// a graceful stop (<see cref="Stop"/>), the second an abort (<see cref="Abort"/>) after which the process ends within
/// a grace period whatever the run does, exiting 128 + the signal's number, and the third the signal's default action.
/// </summary>
/// <remarks>
/// The handler never waits on output: it cancels first and logs after, and what it logs may not be written at all
/// (standard error blocked or gone, as after an SSH session closed) without the stop being affected.
/// </remarks>
internal sealed class StopSignals : IDisposable
{
    // How long an abandoned run may take to unwind before the process ends regardless.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(5);

    private readonly string _pipeline;
    private readonly TextWriter _error;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly PosixSignalRegistration _hangUp;
    private int _count;
    private int _abortExitCode = PipelineProgram.ExitAborted;

    /// <summary>Handles the stop signals for the run of <paramref name="pipeline"/>, saying what it does on <paramref name="error"/>.</summary>
    public StopSignals(string pipeline, TextWriter error)
    {
        _pipeline = pipeline;
        _error = error;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
    }

    /// <summary>Cancelled by the first signal: reading ends, and the batch in flight is committed at once.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>Cancelled by the second signal: the batch in flight is dropped.</summary>
    public CancellationToken Abort => _abort.Token;

    /// <summary>The exit code of an aborted run: 128 + the number of the signal that asked for the abort.</summary>
    public int AbortExitCode => Volatile.Read(ref _abortExitCode);

    /// <summary>Stops handling the signals.</summary>
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _hangUp.Dispose();
        _stop.Dispose();
        _abort.Dispose();
    }

    /// <summary>Writes a line that is information only: a standard error that is closed (its terminal gone) or failing must not fail the handler or the run's ending.</summary>
    internal static void TryWriteLine(TextWriter error, string line)
    {
        try
        {
            error.WriteLine(line);
        }
        catch (Exception failed) when (failed is IOException or ObjectDisposedException)
        {
            // Nowhere to say it.
        }
    }

    // Ends the process with exitCode after delay, on a thread of its own, so that neither a starved thread pool nor a
    // stuck run can hold it up. Environment.Exit neither flushes standard output nor takes the console's lock (checked
    // with a write to a full pipe blocked on another thread, the lock held), so it cannot wait on a blocked write.
    private static void ExitAfter(TimeSpan delay, int exitCode)
    {
        var deadline = new Thread(() =>
        {
            Thread.Sleep(delay);
            Environment.Exit(exitCode);
        })
        {
            IsBackground = true,
            Name = "Compiled abort deadline",
        };
        deadline.Start();
    }

    private void OnSignal(PosixSignalContext signal)
    {
        int count = Interlocked.Increment(ref _count);
        switch (count)
        {
            case 1:
                // A stop: reading ends now, and the batch in flight is committed at once, under its batch time.
                signal.Cancel = true;
                _stop.Cancel();
                TryWriteLine(_error, $"{_pipeline}: {signal.Signal} received; committing the batch in flight now (a second signal abandons it)");
                break;
            case 2:
                // An abort: the batch in flight is dropped. The process ends within the grace period whatever the
                // run does: the deadline starts before the abort is asked for, since cancelling may run the run's
                // own code on this thread, and that code may be stuck (an operator, a blocked write to standard output).
                signal.Cancel = true;
                int exitCode = PipelineProgram.ExitCodeOf(signal.Signal);
                Volatile.Write(ref _abortExitCode, exitCode);
                ExitAfter(AbortGrace, exitCode);
                _abort.Cancel();
                TryWriteLine(_error, $"{_pipeline}: {signal.Signal} received again; abandoning the batch in flight (a third signal ends the process at once)");
                break;
            default:
                // The signal's default action: the process ends at once.
                signal.Cancel = false;
                break;
        }
    }
}

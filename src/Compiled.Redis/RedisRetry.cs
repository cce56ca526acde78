using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>
/// How the Redis sink and source live through a server that is away: an operation is run again after 100 ms, the delay
/// doubling up to 5 s, with a warning per try and a line when the server answers again, for up to <c>retryFor</c>;
/// then it fails saying what to do. An answer that trying again cannot change (WRONGTYPE, NOAUTH) fails at once.
/// </summary>
/// <param name="log">Where the tries are logged.</param>
/// <param name="connector">What the connector is, for messages: <c>sink</c> or <c>source</c>, and its URI (secrets hidden).</param>
/// <param name="retryFor">How long to keep trying.</param>
/// <param name="givingUp">What the message says after the tries when the time is up: what is lost and what to do.</param>
/// <param name="refused">What the message says of an answer trying again cannot change.</param>
internal sealed partial class RedisRetry(ILogger log, string connector, TimeSpan retryFor, string givingUp, Func<string, string> refused)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="operation"/> ("could not <paramref name="what"/> the server"), again while the server is away.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan delay = FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                T result = await operation(cancellationToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    LogReached(connector, what, attempt);
                }

                return result;
            }
            catch (Exception error) when (IsServerAway(error))
            {
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed >= retryFor)
                {
                    throw new IOException(
                        $"redis {connector} could not {what} the server for {elapsed.TotalSeconds:0} s ({attempt} tries; last: {error.Message}){givingUp}",
                        error);
                }

                LogRetrying(error, connector, what, attempt, (long)delay.TotalMilliseconds, error.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
            }
            catch (RedisServerException error)
            {
                throw new InvalidOperationException(
                    $"redis {connector} could not {what} the server: it answered '{error.Message}'. {refused(error.Message)}", error);
            }
        }
    }

    /// <summary>
    /// Whether trying again later can cure <paramref name="error"/>: no connection, a lost connection, no answer, or a
    /// server still loading its data after a restart, busy, or without its primary.
    /// </summary>
    public static bool IsServerAway(Exception error) => error switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal),
        _ => false,
    };

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Redis {Connector}: could not {What} the server (try {Attempt}: {Reason}); trying again in {DelayMs} ms")]
    private partial void LogRetrying(Exception error, string connector, string what, int attempt, long delayMs, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Redis {Connector}: could {What} the server again, at try {Attempt}")]
    private partial void LogReached(string connector, string what, int attempt);
}

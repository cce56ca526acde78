using System.Text;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// "time,user,value" trades summed per user over 10s tumbling windows and 3s sessions; 2s of lateness; a feed quiet for
/// 5s is idle, and the watermark then moves on with processing time. Late trades go to a sink of their own.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class QuietFeed
{
    [Source]
    public static partial Lines<(long Time, string User, long Value)> Trades();

    [EventTime(Lateness = "2s", IdleTimeout = "5s", Late = nameof(TooLate))]
    public static long Time((long Time, string User, long Value) trade) => trade.Time;

    [Map]
    public static KeyValue<long> PerUser((long Time, string User, long Value) trade) => new(Encoding.UTF8.GetBytes(trade.User), trade.Value);

    [EventWindow(Size = "10s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<long> sum);

    [SessionWindow(Input = nameof(PerUser), Gap = "3s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink]
    public static partial void SessionsOut(Windowed<long> sum);

    [Sink]
    public static partial void TooLate((long Time, string User, long Value) trade);
}

/// <summary>As <see cref="QuietFeed"/>'s windows, with <c>IdleTimeout = "0"</c>: a quiet feed is never idle.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class NeverIdle
{
    [Source]
    public static partial Lines<(long Time, string User, long Value)> Trades();

    [EventTime(Lateness = "2s", IdleTimeout = "0")]
    public static long Time((long Time, string User, long Value) trade) => trade.Time;

    [Map]
    public static KeyValue<long> PerUser((long Time, string User, long Value) trade) => new(Encoding.UTF8.GetBytes(trade.User), trade.Value);

    [EventWindow(Size = "10s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<long> sum);
}

/// <summary>
/// Trades from two exchanges, unioned and windowed by event time, no lateness: an exchange quiet for 5s no longer
/// holds the watermark back.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TwoExchanges
{
    [Source]
    public static partial Lines<(long Time, int Symbol)> North();

    [Source]
    public static partial Lines<(long Time, int Symbol)> South();

    [Union(Input = nameof(North), Other = nameof(South))]
    public static partial (long Time, int Symbol) Both((long Time, int Symbol) trade);

    [EventTime(Lateness = "0", IdleTimeout = "5s")]
    public static long At((long Time, int Symbol) trade) => trade.Time;

    [Map]
    public static (int Symbol, long One) PerSymbol((long Time, int Symbol) trade) => (trade.Symbol, 1);

    [EventWindow(Size = "10s")]
    public static long Trades(long a, long b) => a + b;

    [Sink]
    public static partial void PerTenSeconds(Windowed<int, long> trades);
}

/// <summary>
/// Byte lines "time user" counted per user per 10s tumbling window, no lateness, a 2s idle timeout, written as text:
/// the shape whose windows close by idleness must allocate nothing.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ByteBursts
{
    [Source]
    public static partial Lines Input();

    [EventTime(IdleTimeout = "2s")]
    public static long Time(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], System.Globalization.CultureInfo.InvariantCulture);

    [Map]
    public static KeyValue<long> PerUser(ReadOnlySpan<byte> line) => new(line[(line.IndexOf((byte)' ') + 1)..], 1);

    [EventWindow(Size = "10s")]
    public static long Count(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Counts(Windowed<long> count);
}

using Compiled;

namespace Market;

/// <summary>String keys: trades "time,symbol,price,volume" keyed by their symbol, per batch, over a window, and across batches.</summary>
[Pipeline(BatchInterval = "1s")]
internal static partial class SymbolTrades
{
    [Source]
    internal static partial Lines<(long Time, string Symbol, decimal Price, long Volume)> Trades();

    [Map]
    internal static (string Symbol, decimal Price) Price(long time, string symbol, decimal price, long volume) => (symbol, price);

    [ReduceByKey]
    internal static decimal High(decimal a, decimal b) => Math.Max(a, b);

    [Sink(Default = "console")]
    internal static partial void Highs((string Symbol, decimal Price) high);

    [Map(Input = nameof(Trades))]
    internal static (string Symbol, long Volume) Volume(long time, string symbol, decimal price, long volume) => (symbol, volume);

    [ReduceByKeyAndWindow(Length = "3s", Inverse = nameof(Minus), Filter = nameof(Traded))]
    internal static long WindowVolume(long a, long b) => a + b;

    internal static long Minus(long a, long b) => a - b;

    internal static bool Traded(string symbol, long volume) => volume != 0;

    [Sink(Default = "console")]
    internal static partial void WindowVolumes((string Symbol, long Volume) volume);

    [UpdateStateByKey(Input = nameof(Volume), InitialState = nameof(Opening))]
    internal static long? TotalVolume(ReadOnlySpan<long> volumes, long? total)
    {
        long sum = total ?? 0;
        foreach (long volume in volumes)
        {
            sum += volume;
        }

        return sum;
    }

    internal static IEnumerable<(string Symbol, long Volume)> Opening() => [("MSFT", 1000)];

    [Sink(Default = "console")]
    internal static partial void TotalVolumes((string Symbol, long Volume) total);
}

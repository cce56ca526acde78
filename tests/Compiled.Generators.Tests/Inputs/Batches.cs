using Compiled;

namespace Shop;

/// <summary>The per-batch vocabulary and two-stream stages over one stream of "kind,user,amount" lines.</summary>
[Pipeline]
public static partial class Orders
{
    [Source]
    public static partial Lines<(string Kind, int User, long Cents)> Input();

    [Count]
    public static partial long All((string Kind, int User, long Cents) order);

    [Sink(Default = "console")]
    public static partial void Counted(long orders);

    [Filter(Input = nameof(Input))]
    public static bool IsSale((string Kind, int User, long Cents) order) => order.Kind == "sale";

    [Map]
    public static (int User, long Cents) Sales((string Kind, int User, long Cents) order) => (order.User, order.Cents);

    [Filter(Input = nameof(Input))]
    public static bool IsRefund((string Kind, int User, long Cents) order) => order.Kind == "refund";

    [Map]
    public static (int User, long Cents) Refunds((string Kind, int User, long Cents) order) => (order.User, -order.Cents);

    [Union(Input = nameof(Sales), Other = nameof(Refunds))]
    public static partial (int User, long Cents) Movements((int User, long Cents) movement);

    [MapValues]
    public static decimal Euros(long cents) => cents / 100m;

    [GroupByKey]
    public static partial Grouped<int, decimal> PerUser(int user, decimal euros);

    [Sink(Default = "console")]
    public static partial void Baskets(Grouped<int, decimal> basket);

    [CombineByKey(Input = nameof(Movements), MergeValue = nameof(AddMovement), MergeCombiners = nameof(MergeTotals))]
    public static (long Sum, int Count) Totals(long cents) => (cents, 1);

    public static (long Sum, int Count) AddMovement((long Sum, int Count) total, long cents) => (total.Sum + cents, total.Count + 1);

    public static (long Sum, int Count) MergeTotals((long Sum, int Count) a, (long Sum, int Count) b) => (a.Sum + b.Sum, a.Count + b.Count);

    [Sink(Default = "console")]
    public static partial void PerUserTotals((int User, (long Sum, int Count) Total) total);

    [LeftOuterJoin(Input = nameof(Sales), Other = nameof(Refunds))]
    public static (int User, long Sold, long Refunded) Net(int user, long sold, long? refunded) => (user, sold, refunded ?? 0);

    [Reduce]
    public static (int User, long Sold, long Refunded) Largest((int User, long Sold, long Refunded) a, (int User, long Sold, long Refunded) b) => a.Sold >= b.Sold ? a : b;

    [Sink(Default = "console")]
    public static partial void BiggestSale((int User, long Sold, long Refunded) sale);

    [Transform(Input = nameof(Sales))]
    public static void TopThree(ReadOnlySpan<(int User, long Cents)> sales, RecordBuffer<(int User, long Cents)> top)
    {
        var sorted = sales.ToArray();
        Array.Sort(sorted, (a, b) => b.Cents.CompareTo(a.Cents));
        foreach (var sale in sorted.AsSpan(0, Math.Min(3, sorted.Length)))
        {
            top.Add(sale);
        }
    }

    [Sink(Default = "console")]
    public static partial void Top((int User, long Cents) sale);

    [ForEachBatch(Input = nameof(Refunds))]
    public static void Audit(ReadOnlySpan<(int User, long Cents)> refunds, long batchTime) => LastAudit = (batchTime, refunds.Length);

    public static (long Time, int Refunds) LastAudit { get; private set; }
}

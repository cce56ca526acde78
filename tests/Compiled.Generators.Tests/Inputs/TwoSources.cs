using Compiled;

namespace Ads;

/// <summary>Impressions and clicks from two sockets, joined per batch and counted together.</summary>
[Pipeline]
public static partial class ClickJoin
{
    [Source(Default = "tcp://localhost:9001")]
    public static partial Lines<(int Ad, int User)> Impressions();

    [Source(Default = "tcp://localhost:9002")]
    public static partial Lines<(int Ad, int User)> Clicks();

    [Join(Input = nameof(Impressions), Other = nameof(Clicks))]
    public static (int Ad, int Shown, int Clicked) Matched(int ad, int shownTo, int clickedBy) => (ad, shownTo, clickedBy);

    [Sink(Default = "console")]
    public static partial void Matches((int Ad, int Shown, int Clicked) match);

    [Union(Input = nameof(Impressions), Other = nameof(Clicks))]
    public static partial (int Ad, int User) Events((int Ad, int User) record);

    [CountByValue]
    public static int EventAd((int Ad, int User) record) => record.Ad;

    [Sink(Default = "console")]
    public static partial void EventsPerAd(int ad, long events);
}

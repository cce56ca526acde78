using Compiled.Connectors;

namespace Compiled.Redis.Tests;

/// <summary>What a <c>redis://</c> source URI may say, what it defaults to, and how a wrong one is refused.</summary>
public sealed class RedisStreamSourceUriTests
{
    private static RedisStreamSource Create(string text)
    {
        ConnectorUri uri = ConnectorUri.Parse(text, "source");
        var source = Assert.IsType<RedisStreamSource>(RedisStreamSourceFactory.Create(uri, new SourceContext { SourceName = "Input" }));
        uri.ThrowIfUnknownOptions();
        return source;
    }

    [Fact]
    public async Task EveryOption_IsRead_IntoTheSourcesSettings()
    {
        await using RedisStreamSource source = Create("redis://127.0.0.1:7000/events?group=g&consumer=c1&start=earliest&count=64&block=250ms&field=line&db=2&retryFor=30s&connectTimeout=1500&maxRecordBytes=4096");

        RedisStreamSourceOptions options = source.Options;
        Assert.Equal("events", options.Stream);
        Assert.Equal("g", options.Group);
        Assert.Equal("c1", options.Consumer);
        Assert.Equal(RedisStreamStart.Earliest, options.Start);
        Assert.Equal(64, options.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Block);
        Assert.Equal("line", options.Field);
        Assert.Equal(2, options.Client.DefaultDatabase);
        Assert.Equal(1500, options.Client.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RetryFor);
        Assert.Equal(4096, source.Framing.MaxRecordBytes);
        Assert.True(source.Replay.IsReplayable);
    }

    [Fact]
    public async Task Defaults_LatestStart_ValueField_TheMachinesNameAsConsumer_Port6379()
    {
        await using RedisStreamSource source = Create("redis://localhost/events?group=g");

        Assert.Equal(RedisStreamStart.Latest, source.Options.Start);
        Assert.Equal("value", source.Options.Field);
        Assert.Equal(Environment.MachineName, source.Options.Consumer);
        Assert.Equal(512, source.Options.Count);
        var endPoint = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(source.Options.Client.EndPoints));
        Assert.Equal(("localhost", 6379), (endPoint.Host, endPoint.Port));
    }

    [Theory]
    [InlineData("redis://127.0.0.1:7000?group=g", "names no stream to read")]
    [InlineData("redis:///events?group=g", "names no server")]
    [InlineData("redis://127.0.0.1:7000/events?group=g&typo=1", "unknown option 'typo'")]
    [InlineData("redis://127.0.0.1:7000/events?group=g&start=middle", "start")]
    public void WrongUri_IsRefused_SayingWhatToWrite(string text, string expected)
    {
        var e = Assert.Throws<ConnectorUriException>(() => Create(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_ReachesTheClient_ButNotTheSourcesUri()
    {
        await using RedisStreamSource source = Create("redis://reader:s3cret@127.0.0.1:7000/events?group=g");

        Assert.Equal("s3cret", source.Options.Client.Password);
        Assert.Equal("reader", source.Options.Client.User);
        Assert.DoesNotContain("s3cret", source.Options.SafeText, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", source.Uri.Text, StringComparison.Ordinal);
    }
}

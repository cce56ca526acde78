using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.PostgreSQL.Tests;

/// <summary>What a <c>postgres</c> sink URI may say, checked before anything connects.</summary>
public sealed class PostgresSinkUriTests
{
    private static PostgresSink Create(string uri) => new(ConnectorUri.Parse(uri, "sink"), new SinkContext());

    [Fact]
    public void Uri_NoTable_FailsSayingToAddOne()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://app@db:5432/shop"));
        Assert.Contains("names no table; add ?table=NAME", error.Message);
    }

    [Fact]
    public void Uri_NoDatabase_FailsWithAnExample()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://app@db:5432?table=t"));
        Assert.Contains("must name a host and a database", error.Message);
    }

    [Fact]
    public void Uri_BadPort_FailsNamingIt()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://app@db:99999/shop?table=t"));
        Assert.Contains("port '99999'", error.Message);
    }

    [Fact]
    public void Uri_Password_NeverInAMessage()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://app:s3cret@db:5432/shop"));
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.Contains("app:***@db", error.Message);
    }

    [Fact]
    public void Uri_Options_Read()
    {
        PostgresSink sink = Create("postgres://app@db/shop?table=stats.hits&job=nightly");
        Assert.Equal("stats.hits", sink.Table);
        Assert.Equal("nightly", sink.Job);
        Assert.Equal("compiled:nightly:Output:1000", sink.PreparedTransactionName(1000));
    }

    [Fact]
    public void Guarantee_WithCheckpoint_Transactional()
    {
        var sink = new PostgresSink(ConnectorUri.Parse("postgres://app@db/shop?table=t", "sink"), new SinkContext { CheckpointDirectory = "/tmp/cp" });
        Assert.Equal(SinkGuarantee.Transactional, sink.Guarantee);
    }
}

using Compiled.Connectors;

namespace Compiled.Tests.Connectors;

public class ConnectorUriTests
{
    [Theory]
    [InlineData("tcp://localhost:9999", "tcp", "localhost:9999")]
    [InlineData("TCP://host:1", "tcp", "host:1")]
    [InlineData("file:///var/log/app.log", "file", "/var/log/app.log")]
    [InlineData("file://relative/dir/", "file", "relative/dir/")]
    [InlineData("file:input/book.txt", "file", "input/book.txt")]
    [InlineData("file:///with%20space.txt", "file", "/with space.txt")]
    [InlineData("stdin:", "stdin", "")]
    [InlineData("console", "console", "")]
    [InlineData("console?num=3", "console", "")]
    [InlineData("console:?num=3", "console", "")]
    public void ConnectorUri_SplitsSchemeAndTarget(string text, string scheme, string target)
    {
        ConnectorUri uri = ConnectorUri.Parse(text, "source");
        Assert.Equal(scheme, uri.Scheme);
        Assert.Equal(target, uri.Target);
    }

    [Fact]
    public void ConnectorUri_ReadsTypedOptions()
    {
        ConnectorUri uri = ConnectorUri.Parse("file:///x?poll=250ms&existing=true&maxRecordBytes=64&onOversize=SKIP&name=a%26b", "source");
        Assert.Equal(TimeSpan.FromMilliseconds(250), uri.TakeDuration("poll", TimeSpan.Zero));
        Assert.True(uri.TakeBoolean("existing", false));
        Assert.Equal(64, uri.TakeInt32("maxRecordBytes", 0, minimum: 1));
        Assert.Equal(Compiled.Framing.OversizePolicy.Skip, uri.TakeEnum("onOversize", Compiled.Framing.OversizePolicy.Fail));
        Assert.Equal("a&b", uri.TakeString("name"));
        uri.ThrowIfUnknownOptions();
    }

    [Fact]
    public void ConnectorUri_UnknownOption_NamesTheKnownOnes()
    {
        ConnectorUri uri = ConnectorUri.Parse("tcp://h:1?maxRecordByte=10", "source");
        uri.TakeInt32("maxRecordBytes", 1);
        uri.TakeString("onOversize");
        var error = Assert.Throws<ConnectorUriException>(uri.ThrowIfUnknownOptions);
        Assert.Equal("tcp source URI 'tcp://h:1?maxRecordByte=10' has an unknown option 'maxRecordByte'; the options of a tcp source are: maxRecordBytes, onOversize", error.Message);
    }

    [Theory]
    [InlineData("tcp://h:1?maxRecordBytes=ten", "option 'maxRecordBytes=ten' of source URI 'tcp://h:1?maxRecordBytes=ten' is not valid; write a whole number of at least 1")]
    [InlineData("tcp://h:1?maxRecordBytes=0", "option 'maxRecordBytes=0' of source URI 'tcp://h:1?maxRecordBytes=0' is not valid; write a whole number of at least 1")]
    [InlineData("tcp://h:1?onOversize=drop", "option 'onOversize=drop' of source URI 'tcp://h:1?onOversize=drop' is not valid; write fail or skip")]
    [InlineData("tcp://h:1?a=1&a=2", "source URI 'tcp://h:1?a=1&a=2' sets option 'a' twice; keep one")]
    public void ConnectorUri_BadOption_SaysWhatToWrite(string text, string message)
    {
        var error = Assert.Throws<ConnectorUriException>(() =>
        {
            ConnectorUri uri = ConnectorUri.Parse(text, "source");
            uri.TakeInt32("maxRecordBytes", 1, minimum: 1);
            uri.TakeEnum("onOversize", Compiled.Framing.OversizePolicy.Fail);
        });
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("9999")]
    [InlineData("://x")]
    public void ConnectorRegistry_NotAUri_SaysHowToWriteOne(string text)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource(text, new SourceContext()));
        Assert.Contains("write scheme:target, e.g. tcp://host:port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectorRegistry_UnknownScheme_ListsTheKnownOnes()
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink("kafka://broker:9092/topic", new Compiled.Sinks.SinkContext()));
        // memory: is the connector this test project declares (Connectors/Registration/MemoryConnector.cs).
        Assert.Equal("sink URI 'kafka://broker:9092/topic' has an unknown scheme 'kafka'; use one of: console or console?num=20, file:///out/prefix?suffix=txt, memory:NAME?batches=true, or reference the connector package that declares 'kafka'", error.Message);
    }

    [Fact]
    public void ConnectorRegistry_HostAndPortWithoutScheme_SuggestsTcp()
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource("localhost:9999", new SourceContext()));
        Assert.EndsWith("(for a socket, write tcp://localhost:9999)", error.Message, StringComparison.Ordinal);
    }
}

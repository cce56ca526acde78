using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Tests.Connectors;

/// <summary>A password or other secret in a connector URI is never shown: logs, messages and checkpoints see <c>***</c>.</summary>
public class UriSecretsTests
{
    [Theory]
    [InlineData("redis://user:hunter2@localhost:6379/totals", "redis://user:***@localhost:6379/totals")]
    [InlineData("postgres://app:p%40ss@db:5432/shop?table=t", "postgres://app:***@db:5432/shop?table=t")]
    [InlineData("redis://localhost/k?password=hunter2&db=2", "redis://localhost/k?password=***&db=2")]
    [InlineData("kafka://b:9092/t?sasl.password=hunter2&group=g", "kafka://b:9092/t?sasl.password=***&group=g")]
    [InlineData("x://h/p?Token=abc&apikey=def", "x://h/p?Token=***&apikey=***")]
    [InlineData("tcp://localhost:9999", "tcp://localhost:9999")]
    [InlineData("file:///data/user@host/in.txt", "file:///data/user@host/in.txt")]
    public void Redact_HidesPasswordsAndSecretOptions_AndNothingElse(string uri, string shown) =>
        Assert.Equal(shown, UriSecrets.Redact(uri));

    [Fact]
    public void ConnectorUri_Text_IsRedacted_Original_IsAsWritten()
    {
        ConnectorUri uri = ConnectorUri.Parse("memory://user:hunter2@host/name?password=hunter3", "sink");
        Assert.Equal("memory://user:***@host/name?password=***", uri.Text);
        Assert.Equal("memory://user:hunter2@host/name?password=hunter3", uri.Original);
        Assert.Equal("hunter3", uri.TakeString("password"));
    }

    [Fact]
    public void UnknownOption_Message_DoesNotShowTheSecret()
    {
        var e = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink("file:///tmp/out/c?suffix=txt&password=hunter2", new SinkContext()));
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        Assert.Contains("password=***", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionGivenTwice_Message_DoesNotShowTheSecret()
    {
        var e = Assert.Throws<ConnectorUriException>(() => ConnectorUri.Parse("redis://u:hunter2@h/k?db=1&db=2", "sink"));
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }
}

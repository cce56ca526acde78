using Compiled.Connectors;

namespace Compiled.Redis.Tests;

/// <summary>What a <c>redis://</c> URI means, and the errors a wrong one gets; no server is needed.</summary>
public sealed class RedisSinkUriTests
{
    [Fact]
    public void Uri_HashIsTheDefault_KeyFromThePath_PortDefaults()
    {
        RedisSinkOptions options = RedisTest.CreateSink("redis://localhost/counts").Options;

        Assert.Equal(RedisDataType.Hash, options.Type);
        Assert.Equal("counts", options.Key);
        Assert.Equal(0, options.Database);
        Assert.Equal("localhost:6379", Assert.Single(options.Client.EndPoints).ToString()!.Replace("Unspecified/", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Uri_DatabaseRetryAndClientOptions_AreTaken()
    {
        RedisSinkOptions options = RedisTest.CreateSink("redis://127.0.0.1:6380/z?type=zset&db=3&retryFor=10s&connectTimeout=1500&name=wc").Options;

        Assert.Equal(RedisDataType.Zset, options.Type);
        Assert.Equal(3, options.Database);
        Assert.Equal(3, options.Client.DefaultDatabase);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RetryFor);
        Assert.Equal(1500, options.Client.ConnectTimeout);
        Assert.Equal("wc", options.Client.ClientName);
    }

    [Fact]
    public void Uri_Password_IsUsedButNeverShown()
    {
        RedisSink sink = RedisTest.CreateSink("redis://app:s3cret@127.0.0.1:6380/counts");

        Assert.Equal("app", sink.Options.Client.User);
        Assert.Equal("s3cret", sink.Options.Client.Password);
        Assert.Equal("redis://app:***@127.0.0.1:6380/counts", sink.Options.SafeText);
        Assert.Equal("redis://app:***@127.0.0.1:6380/counts", sink.Uri.Text);

        RedisSink byOption = RedisTest.CreateSink("redis://127.0.0.1:6380/counts?password=s3cret");
        Assert.Equal("s3cret", byOption.Options.Client.Password);
        Assert.DoesNotContain("s3cret", byOption.Uri.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_WrongOption_NamesItWithoutThePassword()
    {
        var error = Assert.Throws<ConnectorUriException>(() => RedisTest.CreateSink("redis://u:s3cret@127.0.0.1:6380/counts?tpye=hash"));

        Assert.Contains("tpye", error.Message, StringComparison.Ordinal);
        Assert.Contains("type", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_StringWithKeyPath_SaysToUsePrefix()
    {
        var error = Assert.Throws<ConnectorUriException>(() => RedisTest.CreateSink("redis://127.0.0.1:6380/wc?type=string"));

        Assert.Contains("prefix=wc:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_HashWithoutKey_SaysToNameOne()
    {
        var error = Assert.Throws<ConnectorUriException>(() => RedisTest.CreateSink("redis://127.0.0.1:6380"));

        Assert.Contains("/KEY?type=hash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_UnknownType_ListsTheTypes()
    {
        var error = Assert.Throws<ConnectorUriException>(() => RedisTest.CreateSink("redis://127.0.0.1:6380/k?type=list"));

        Assert.Contains("hash or string or zset or stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_HidesUserPasswordAndPasswordOption()
    {
        Assert.Equal("redis://:***@h:1/k?password=***&db=2", RedisSinkOptions.Redact("redis://:pw@h:1/k?password=pw&db=2"));
        Assert.Equal("redis://h:1/k", RedisSinkOptions.Redact("redis://h:1/k"));
    }
}

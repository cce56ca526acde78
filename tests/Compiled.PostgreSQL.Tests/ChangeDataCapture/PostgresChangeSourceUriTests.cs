using Compiled.Connectors;
using Compiled.PostgreSQL.ChangeDataCapture;
using Compiled.Sinks;

namespace Compiled.PostgreSQL.Tests.ChangeDataCapture;

/// <summary>What a <c>postgres</c> source URI may say, checked when the source is created, before anything connects.</summary>
public sealed class PostgresChangeSourceUriTests
{
    private static PostgresChangeSource Create(string uri) =>
        Assert.IsType<PostgresChangeSource>(ConnectorRegistry.CreateSource(uri, new SourceContext()));

    [Fact]
    public void Registry_PostgresScheme_IsASourceAndASink_EachFromItsOwnFactory()
    {
        Assert.IsType<PostgresChangeSource>(ConnectorRegistry.CreateSource("postgres://app@db/shop?publication=p&slot=s", new SourceContext()));
        Assert.IsType<PostgresSink>(ConnectorRegistry.CreateSink("postgres://app@db/shop?table=t", new SinkContext()));
        var unknown = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource("postgress://db/shop?publication=p&slot=s", new SourceContext()));
        Assert.Contains(PostgresChangeSourceFactory.Usage, unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_AllOptions_AreRead()
    {
        PostgresChangeSourceOptions options = Create(
            "postgres://app@db:6543/shop?publication=orders&slot=orders_cdc&createSlot=false&createPublication=orders,audit.log" +
            "&prefetch=100&statusInterval=2s&connectTimeout=3s&retryFor=1m&job=capture").Options;
        Assert.Equal(("db", 6543, "shop", "app"), (options.Host, options.Port, options.Database, options.User));
        Assert.Equal(("orders", "orders_cdc", false), (options.Publication, options.Slot, options.CreateSlot));
        Assert.Equal(["orders", "audit.log"], options.CreatePublication!);
        Assert.Equal("CREATE PUBLICATION \"orders\" FOR TABLE \"orders\", \"audit\".\"log\"", options.CreatePublicationSql());
        Assert.Equal((100, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(1)),
            (options.Prefetch, options.StatusInterval, options.ConnectTimeout, options.RetryFor));
    }

    [Fact]
    public void Uri_Defaults_PortUserSlotCreationAndNoPublicationCreation()
    {
        PostgresChangeSourceOptions options = Create("postgres://db/shop?publication=p&slot=s").Options;
        Assert.Equal((5432, "postgres", true), (options.Port, options.User, options.CreateSlot));
        Assert.Null(options.CreatePublication);
        Assert.Equal(TimeSpan.FromMinutes(5), options.RetryFor);
    }

    [Fact]
    public void Uri_CreatePublicationAll_IsForAllTables()
    {
        PostgresChangeSourceOptions options = Create("postgres://db/shop?publication=p&slot=s&createPublication=ALL").Options;
        Assert.Equal("CREATE PUBLICATION \"p\" FOR ALL TABLES", options.CreatePublicationSql());
    }

    [Fact]
    public void Uri_NoPublication_FailsSayingToAddOne()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://db/shop?slot=s"));
        Assert.Contains("names no publication; add ?publication=NAME", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_NoSlot_FailsSayingToAddOne()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://db/shop?publication=p"));
        Assert.Contains("names no replication slot; add &slot=NAME", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_SlotNameWithCapitals_FailsSayingWhatASlotNameIs()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://db/shop?publication=p&slot=MySlot"));
        Assert.Contains("lower-case letters, digits and '_'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_SinkUriBoundAsSource_FailsSayingWhatASourceReads()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://db/shop?table=totals"));
        Assert.Contains("is a sink URI (table=)", error.Message, StringComparison.Ordinal);
        Assert.Contains("?publication=P&slot=S", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_NoDatabase_FailsWithAnExample()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://db?publication=p&slot=s"));
        Assert.Contains("must name a host and a database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_BadCreatePublication_FailsWithTheForm()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://db/shop?publication=p&slot=s&createPublication=a.b.c"));
        Assert.Contains("createPublication=orders,shop.items", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_UnknownOption_Fails()
    {
        Assert.Throws<ConnectorUriException>(() => Create("postgres://db/shop?publication=p&slot=s&slto=x"));
    }

    [Fact]
    public void Uri_Password_NeverInAMessageOrTheSourcesText()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("postgres://app:s3cret@db/shop?slot=s"));
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        PostgresChangeSource source = Create("postgres://app:s3cret@db/shop?publication=p&slot=s");
        Assert.DoesNotContain("s3cret", source.Uri.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", source.Options.Display, StringComparison.Ordinal);
        Assert.Equal("s3cret", source.Options.Password);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(0x16B3748UL)]
    [InlineData(0x1_00AB_CDEFUL)]
    [InlineData(ulong.MaxValue)]
    public void Lsn_IsWrittenAsPostgresWritesIt(ulong value)
    {
        var lsn = new NpgsqlTypes.NpgsqlLogSequenceNumber(value);
        Span<char> text = stackalloc char[TransactionInfo.MaxLsnLength];
        Assert.Equal(lsn.ToString(), text[..TransactionInfo.FormatLsn(lsn, text)].ToString());
    }

    [Fact]
    public void Position_RoundTripsThroughItsBytes_AndOrdersByLsnThenChange()
    {
        var position = new ChangePosition(0x1_0000_0010UL, 3);
        Span<byte> bytes = stackalloc byte[ChangePosition.Size];
        position.Write(bytes);
        Assert.True(ChangePosition.TryRead(bytes, out ChangePosition read));
        Assert.Equal(position, read);
        Assert.True(new ChangePosition(0x1_0000_0010UL, 4).IsAfter(position));
        Assert.True(new ChangePosition(0x1_0000_0011UL, 0).IsAfter(position));
        Assert.False(new ChangePosition(0x1_0000_0010UL, 3).IsAfter(position));
        Assert.Equal("after change 3 of the transaction committing at 1/10", position.ToString());
    }

    [Fact]
    public void ResumeFrom_APositionOfAnotherSource_IsRefused()
    {
        PostgresChangeSource source = Create("postgres://db/shop?publication=p&slot=s");
        var error = Assert.Throws<InvalidDataException>(() => source.ResumeFrom(new Checkpoints.SourcePosition([1, 2, 3], "three bytes")));
        Assert.Contains("start from a new checkpoint directory", error.Message, StringComparison.Ordinal);
    }
}

using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Tests.Connectors.Registration;

/// <summary>
/// ConnectorRegistry.AddSource/AddSink: a registered scheme creates its connector through the factory; the same factory
/// again changes nothing; another factory for a taken scheme, a built-in scheme, or a scheme that is not one is refused
/// with a message naming what to do. (The memory: connector is registered by this project's module initializer; these
/// tests register nothing else, so the lists other tests check stay as they are.)
/// </summary>
public class ConnectorRegistryTests
{
    [Fact]
    public void CreateSink_OfARegisteredScheme_IsTheFactorysSink()
    {
        Sink sink = ConnectorRegistry.CreateSink("memory:registry-sink", new SinkContext());

        MemorySink memory = Assert.IsType<MemorySink>(sink);
        Assert.Equal("registry-sink", memory.Uri.Target);
    }

    [Fact]
    public void CreateSource_OfARegisteredScheme_IsTheFactorysSource()
    {
        MemoryStore.Put("registry-source", "x\n");

        Source source = ConnectorRegistry.CreateSource("MEMORY:registry-source", new SourceContext());

        Assert.IsType<MemorySource>(source);
    }

    [Fact]
    public void CreateSource_AnErrorOfTheFactory_IsTheUsersMessage()
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource("memory:nothing-here", new SourceContext()));

        Assert.Equal("source URI 'memory:nothing-here' names 'nothing-here', which holds nothing; put text there first", error.Message);
    }

    [Fact]
    public void AddSink_TheSameFactoryAgain_ChangesNothing()
    {
        // A connector referenced by several assemblies of one process is registered by each of their module initializers.
        ConnectorRegistry.AddSink<MemorySinkFactory>("memory", "another usage");

        Assert.Equal("console or console?num=20, file:///out/prefix?suffix=txt, memory:NAME?batches=true", ConnectorRegistry.Usage("sink"));
        Assert.IsType<MemorySink>(ConnectorRegistry.CreateSink("memory:again", new SinkContext()));
    }

    [Fact]
    public void AddSink_AnotherFactoryForARegisteredScheme_IsRefusedNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => ConnectorRegistry.AddSink<OtherSinkFactory>("memory", "memory:x"));

        Assert.StartsWith(
            "sink scheme 'memory' is registered twice: by Compiled.Tests.Connectors.Registration.MemorySinkFactory and by " +
            "Compiled.Tests.Connectors.Registration.ConnectorRegistryTests+OtherSinkFactory; reference only one of the connectors, or give one another scheme",
            error.Message, StringComparison.Ordinal);
        Assert.IsType<MemorySink>(ConnectorRegistry.CreateSink("memory:still-mine", new SinkContext()));
    }

    [Fact]
    public void AddSource_AnotherFactoryForARegisteredScheme_IsRefusedNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => ConnectorRegistry.AddSource<OtherSourceFactory>("memory", null));

        Assert.StartsWith(
            "source scheme 'memory' is registered twice: by Compiled.Tests.Connectors.Registration.MemorySourceFactory and by " +
            "Compiled.Tests.Connectors.Registration.ConnectorRegistryTests+OtherSourceFactory",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sources_AndSinks_HaveSchemesApart()
    {
        // "console" is a built-in sink scheme, not a source scheme.
        var unknown = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource("console", new SourceContext()));

        Assert.StartsWith("source URI 'console' has an unknown scheme 'console'", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("console")]
    public void AddSink_ABuiltInScheme_IsRefused(string scheme)
    {
        var error = Assert.Throws<ArgumentException>(() => ConnectorRegistry.AddSink<OtherSinkFactory>(scheme, null));

        Assert.StartsWith(
            $"sink scheme '{scheme}' is built into Compiled and cannot be registered again by Compiled.Tests.Connectors.Registration.ConnectorRegistryTests+OtherSinkFactory; give the connector another scheme",
            error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Redis")]
    [InlineData("9p")]
    [InlineData("my scheme")]
    public void AddSource_NotALowerCaseScheme_IsRefused(string scheme)
    {
        var error = Assert.Throws<ArgumentException>(() => ConnectorRegistry.AddSource<OtherSourceFactory>(scheme, null));

        Assert.Contains("write it in lower case, a letter followed by letters, digits, '+', '-' or '.'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(scheme.Length == 0 ? "\u0000" : scheme + ":", ConnectorRegistry.Usage("source"), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownScheme_ListsTheRegisteredSchemes_OfItsSideOnly()
    {
        var sink = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink("redis://localhost/words", new SinkContext()));
        var source = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource("redis://localhost/words", new SourceContext()));

        Assert.Equal(
            "sink URI 'redis://localhost/words' has an unknown scheme 'redis'; use one of: console or console?num=20, file:///out/prefix?suffix=txt, memory:NAME?batches=true, or reference the connector package that declares 'redis'",
            sink.Message);
        Assert.Equal(
            "source URI 'redis://localhost/words' has an unknown scheme 'redis'; use one of: tcp://host:port, file:///path/to/file.txt, file:///logs/*.log or file:///incoming/, stdin:, memory:NAME, memparts:NAME?partitions=K, memq:NAME?follow=true&batch=N, or reference the connector package that declares 'redis'",
            source.Message);
    }

    /// <summary>A second sink factory, for a scheme that is already taken.</summary>
    public sealed class OtherSinkFactory : ISinkFactory
    {
        /// <inheritdoc />
        public static Sink Create(ConnectorUri uri, SinkContext context) => throw new InvalidOperationException("never registered");
    }

    /// <summary>A second source factory, for a scheme that is already taken.</summary>
    public sealed class OtherSourceFactory : ISourceFactory
    {
        /// <inheritdoc />
        public static Source Create(ConnectorUri uri, SourceContext context) => throw new InvalidOperationException("never registered");
    }
}

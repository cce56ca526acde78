using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators.Tests.Connectors;

/// <summary>
/// A connector declared with [assembly: SourceConnector/SinkConnector], in the project itself or in a referenced library,
/// makes its scheme a valid default URI, and the project's generated code registers it once from a module initializer.
/// </summary>
public class ConnectorRegistrationTests
{
    private const string OwnDeclarations = """
        [assembly: Compiled.Connectors.SinkConnector("memory", typeof(Own.NullSinkFactory), Usage = "memory:NAME")]
        [assembly: Compiled.Connectors.SourceConnector("memory", typeof(Own.NullSourceFactory))]
        """;

    [Fact]
    public void DefaultUri_OfSchemesTheProjectDeclares_IsAccepted_AndRegistered()
    {
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            ConnectorSources.Pipeline("memory:words", "memory:counts"), ConnectorSources.Connector("Own"), OwnDeclarations));

        Assert.Empty(diagnostics);
        Assert.Empty(ConnectorSources.Problems(output));
        string registration = Registration(output);
        Assert.Contains("global::Compiled.Connectors.ConnectorRegistry.AddSink<global::Own.NullSinkFactory>(\"memory\", \"memory:NAME\");", registration);

        // Without a Usage, the unknown-scheme message shows the bare scheme.
        Assert.Contains("global::Compiled.Connectors.ConnectorRegistry.AddSource<global::Own.NullSourceFactory>(\"memory\", \"memory:\");", registration);
        Assert.Contains("[global::System.Runtime.CompilerServices.ModuleInitializer]", registration);
    }

    [Fact]
    public void DefaultUri_OfASchemeAReferencedLibraryDeclares_IsAccepted_AndRegistered()
    {
        MetadataReference library = ConnectorSources.Library("Acme.Connectors",
            """[assembly: Compiled.Connectors.SinkConnector("acme", typeof(Acme.Connectors.NullSinkFactory), Usage = "acme://host/table")]""");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ConnectorSources.Pipeline("stdin:", "acme://db/counts"))
            .AddReferences(library);

        var (_, output, diagnostics) = GeneratorHarness.Run(compilation);

        Assert.Empty(diagnostics);
        Assert.Empty(ConnectorSources.Problems(output));
        string registration = Registration(output);
        Assert.Contains("// acme: declared by Acme.Connectors", registration);
        Assert.Contains("AddSink<global::Acme.Connectors.NullSinkFactory>(\"acme\", \"acme://host/table\");", registration);
    }

    [Fact]
    public void ASchemeDeclaredForSinks_IsStillUnknownForSources()
    {
        // Sources and sinks have schemes apart: a sink connector does not make its scheme readable.
        MetadataReference library = ConnectorSources.Library("Acme.Connectors",
            """[assembly: Compiled.Connectors.SinkConnector("acme", typeof(Acme.Connectors.NullSinkFactory), Usage = "acme://host/table")]""");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ConnectorSources.Pipeline("acme://db/words", "console"))
            .AddReferences(library);

        var (_, _, diagnostics) = GeneratorHarness.Run(compilation);

        Diagnostic unknown = Assert.Single(diagnostics);
        Assert.Equal("CMP0007", unknown.Id);
        Assert.Equal(
            "The default URI 'acme://db/words' of source 'Input' has an unknown scheme 'acme'; use one of: tcp://host:port, file:///path/to/file.txt, file:///logs/*.log or file:///incoming/, stdin:, or reference the connector package that declares 'acme'",
            unknown.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void UnknownScheme_ListsTheDeclaredSchemesAfterTheBuiltInOnes()
    {
        MetadataReference library = ConnectorSources.Library("Acme.Connectors",
            """[assembly: Compiled.Connectors.SinkConnector("acme", typeof(Acme.Connectors.NullSinkFactory), Usage = "acme://host/table")]""");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ConnectorSources.Pipeline("stdin:", "acmee://db/counts"))
            .AddReferences(library);

        var (_, _, diagnostics) = GeneratorHarness.Run(compilation);

        Diagnostic unknown = Assert.Single(diagnostics);
        Assert.Equal(
            "The default URI 'acmee://db/counts' of sink 'Output' has an unknown scheme 'acmee'; use one of: console or console?num=20, file:///out/prefix?suffix=txt, acme://host/table, or reference the connector package that declares 'acmee'",
            unknown.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheSameConnectorDeclaredByTwoAssemblies_IsRegisteredOnce()
    {
        // A library that registers its own connector, referenced by a project that declares it again: one registration.
        MetadataReference library = ConnectorSources.Library("Acme.Connectors",
            """[assembly: Compiled.Connectors.SinkConnector("acme", typeof(Acme.Connectors.NullSinkFactory))]""");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                ConnectorSources.Pipeline("stdin:", "acme:x"),
                """[assembly: Compiled.Connectors.SinkConnector("acme", typeof(Acme.Connectors.NullSinkFactory))]""")
            .AddReferences(library);

        var (_, output, diagnostics) = GeneratorHarness.Run(compilation);

        Assert.Empty(diagnostics);
        Assert.Empty(ConnectorSources.Problems(output));
        Assert.Single(Registration(output).Split('\n'), line => line.Contains("AddSink<", StringComparison.Ordinal));
    }

    [Fact]
    public void AProjectWithNoConnectors_GetsNoRegistration()
    {
        var (result, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(ConnectorSources.Pipeline("stdin:", "console")));

        Assert.Empty(diagnostics);
        Assert.DoesNotContain(result.GeneratedTrees, t => t.FilePath.EndsWith("Compiled-Connectors.g.cs", StringComparison.Ordinal));
        Assert.Single(result.GeneratedTrees);
    }

    [Fact]
    public void AConnectorLibraryWithoutPipelines_RegistersItsOwnConnectors()
    {
        // The registration is per project, not per pipeline: a library that only declares connectors registers them when
        // it loads, and a project that references it registers them again, which the registry takes as a no-op.
        var (result, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(ConnectorSources.Connector("Own"), OwnDeclarations));

        Assert.Empty(diagnostics);
        Assert.Empty(ConnectorSources.Problems(output));
        Assert.Single(result.GeneratedTrees);
        Assert.Contains("AddSink<global::Own.NullSinkFactory>", Registration(output));
    }

    private static string Registration(Compilation output) =>
        Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith("Compiled-Connectors.g.cs", StringComparison.Ordinal)).ToString();
}

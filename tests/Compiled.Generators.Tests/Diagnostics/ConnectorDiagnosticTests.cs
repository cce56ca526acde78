using System.Globalization;
using Compiled.Generators.Tests.Connectors;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>CMP0036 and CMP0037: a connector declaration that cannot be registered, and a scheme declared by two connectors.</summary>
public class ConnectorDiagnosticTests
{
    [Fact]
    public void CMP0036_InvalidConnector_FactoryIsNotAFactory() => DiagnosticVerifier.Verify(
        """[assembly: [|Compiled.Connectors.SinkConnector("memory", typeof(Own.NullSink))|]]""" + "\n" + ConnectorSources.Connector("Own"),
        "CMP0036",
        "The sink connector 'memory' declared by Tests cannot be used: its factory 'Own.NullSink' does not implement Compiled.Connectors.ISinkFactory; add it, with 'public static Sink Create(ConnectorUri uri, SinkContext context)'");

    [Fact]
    public void CMP0036_InvalidConnector_BuiltInScheme() => DiagnosticVerifier.Verify(
        """[assembly: [|Compiled.Connectors.SourceConnector("file", typeof(Own.NullSourceFactory))|]]""" + "\n" + ConnectorSources.Connector("Own"),
        "CMP0036",
        "The source connector 'file' declared by Tests cannot be used: 'file' is a built-in source scheme; give the connector another scheme");

    [Fact]
    public void CMP0036_InvalidConnector_SchemeNotInLowerCase() => DiagnosticVerifier.Verify(
        """[assembly: [|Compiled.Connectors.SinkConnector("Memory", typeof(Own.NullSinkFactory))|]]""" + "\n" + ConnectorSources.Connector("Own"),
        "CMP0036",
        "The sink connector 'Memory' declared by Tests cannot be used: its scheme must be written in lower case, a letter followed by letters, digits, '+', '-' or '.', e.g. \"redis\"");

    [Fact]
    public void CMP0036_InvalidConnector_IsNotRegistered_AndItsSchemeStaysUnknown()
    {
        // The declaration that cannot be used registers nothing (the generated code would not compile), so a default URI
        // of its scheme is CMP0007 as well.
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            ConnectorSources.Pipeline("stdin:", "memory:out"),
            """[assembly: Compiled.Connectors.SinkConnector("memory", typeof(Own.NullSink))]""" + "\n" + ConnectorSources.Connector("Own")));

        Assert.Equal(["CMP0007", "CMP0036"], diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.EndsWith("Compiled-Connectors.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void CMP0037_ConnectorSchemeDeclaredTwice() => DiagnosticVerifier.Verify(
        """
        [assembly: Compiled.Connectors.SinkConnector("memory", typeof(Own.NullSinkFactory))]
        [assembly: [|Compiled.Connectors.SinkConnector("memory", typeof(Other.NullSinkFactory))|]]
        """ + "\n" + ConnectorSources.Connector("Own") + "\n" + ConnectorSources.Connector("Other"),
        "CMP0037",
        "The sink scheme 'memory' is declared twice: by 'Own.NullSinkFactory' in Tests and by 'Other.NullSinkFactory' in Tests; reference only one of the two connectors, or give one of them another scheme");

    [Fact]
    public void CMP0037_ConnectorSchemeDeclaredTwice_ByTheProjectAndAReferencedLibrary()
    {
        MetadataReference library = ConnectorSources.Library("Acme.Connectors",
            """[assembly: Compiled.Connectors.SinkConnector("memory", typeof(Acme.Connectors.NullSinkFactory))]""");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                """[assembly: Compiled.Connectors.SinkConnector("memory", typeof(Own.NullSinkFactory))]""" + "\n" + ConnectorSources.Connector("Own"))
            .AddReferences(library);

        var (_, output, diagnostics) = GeneratorHarness.Run(compilation);

        // The project's own declaration is kept (it is the one the project wrote), and the library's is the second.
        Diagnostic twice = Assert.Single(diagnostics);
        Assert.Equal("CMP0037", twice.Id);
        Assert.Equal(
            "The sink scheme 'memory' is declared twice: by 'Own.NullSinkFactory' in Tests and by 'Acme.Connectors.NullSinkFactory' in Acme.Connectors; reference only one of the two connectors, or give one of them another scheme",
            twice.GetMessage(CultureInfo.InvariantCulture));
        string registration = Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith("Compiled-Connectors.g.cs", StringComparison.Ordinal)).ToString();
        Assert.Contains("AddSink<global::Own.NullSinkFactory>", registration);
        Assert.DoesNotContain("Acme.Connectors.NullSinkFactory", registration);
    }
}

using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Parsing;

/// <summary>The parser finds the runtime's and the core library's types by symbol, and only those.</summary>
public class KnownTypesTests
{
    [Fact]
    public void KnownTypes_FindsEveryTypeAndStageAttribute()
    {
        // A misspelt metadata name would leave a type null, and every comparison with it would fail in silence.
        Compilation compilation = GeneratorHarness.CreateCompilation("public static class Empty { }");
        KnownTypes known = KnownTypes.For(compilation, pipelineAttribute: null);

        INamedTypeSymbol?[] types =
        {
            known.PipelineAttribute, known.Lines, known.TypedLines, known.KeyValue, known.State, known.Grouped1, known.Grouped2,
            known.RecordBuffer, known.ReadOnlySpan, known.Utf8SpanParsable, known.Utf8SpanFormattable, known.Equatable, known.DateTimeOffset,
            known.AsyncEnumerable,
        };
        Assert.All(types, type => Assert.NotNull(type));
        foreach (string[] field in Compiled.Internal.FieldTypes.OwnParsers)
        {
            Assert.True(known.HasOwnFieldParser(Assert.Single(compilation.GetTypesByMetadataName(field[0]))), field[0]);
        }

        Assert.Equal("Compiled", known.KeyValue!.ContainingAssembly.Name);
        Assert.Equal(typeof(object).Assembly.GetName().Name, known.ReadOnlySpan!.ContainingAssembly.Name);

        foreach (KeyValuePair<string, StageKind> stage in KnownNames.StageKinds)
        {
            INamedTypeSymbol attribute = Assert.Single(compilation.GetTypesByMetadataName(stage.Key));
            Assert.True(known.TryGetStageKind(attribute, out StageKind kind), stage.Key);
            Assert.Equal(stage.Value, kind);
        }

        Assert.Equal(Enum.GetValues<StageKind>().Length, KnownNames.StageKinds.Length);
    }

    [Fact]
    public void KnownTypes_SameNameInAnotherAssembly_IsNotTheRuntimeType()
    {
        // A user's own Compiled.Lines displays as the runtime's does; by symbol it is another type.
        Compilation compilation = GeneratorHarness.CreateCompilation("namespace Compiled { public sealed class Lines { } }");
        KnownTypes known = KnownTypes.For(compilation, pipelineAttribute: null);

        INamedTypeSymbol own = compilation.Assembly.GetTypeByMetadataName("Compiled.Lines")!;
        Assert.Equal(own.ToDisplayString(), known.Lines!.ToDisplayString());
        Assert.False(SymbolEqualityComparer.Default.Equals(own, known.Lines));
        Assert.Equal("Compiled", known.Lines.ContainingAssembly.Name);
    }
}

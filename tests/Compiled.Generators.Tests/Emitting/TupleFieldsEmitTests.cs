using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Emitting;

/// <summary>
/// A stage that takes a tuple record's fields as parameters is called with the fields themselves, read from the record
/// in the fused loop (no tuple copied into a call of its own); a stage whose parameters do not match the fields is told
/// so at the parameter.
/// </summary>
public class TupleFieldsEmitTests
{
    private const string Usings = "using System;\nusing Compiled;\n";

    [Fact]
    public void StageTakingTheFields_IsCalledWithEachField_InOrder()
    {
        var (result, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<(long Auction, long Price, long Time)> Bids();
                [Filter] public static bool Big(long auction, long price, long time) => price > 100;
                [Sink] public static partial void Output((long Auction, long Price, long Time) bid);
            }
            """));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        string source = Assert.Single(Assert.Single(result.Results).GeneratedSources).SourceText.ToString();

        Match call = Regex.Match(source, @"global::Job\.Big\((\w+)\.Item1, \1\.Item2, \1\.Item3\)");
        Assert.True(call.Success, "Big is called with the record's three fields:\n" + source);
    }

    [Fact]
    public void FieldsOfTheWrongType_AreAMismatch_AtTheWrongField_WithTheFieldsToTake()
    {
        var (_, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<(long Auction, long Price, long Time)> Bids();
                [Filter] public static bool Big(long auction, int price, long time) => price > 100;
                [Sink] public static partial void Output((long Auction, long Price, long Time) bid);
            }
            """));
        Diagnostic refused = Assert.Single(diagnostics);
        Assert.Equal("CMP0004", refused.Id);
        Assert.Equal(
            "Stage 'Big' takes the fields 'long', 'int', 'long' but 'Bids' emits '(long Auction, long Price, long Time)'; " +
            "change Big's parameters to the tuple's fields (long auction, long price, long time), or take the whole record ((long Auction, long Price, long Time) record)",
            refused.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("int", refused.Location.SourceTree!.GetText(TestContext.Current.CancellationToken).ToString(refused.Location.SourceSpan));
    }
}

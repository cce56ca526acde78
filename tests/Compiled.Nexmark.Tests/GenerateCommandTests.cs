using Samples.Nexmark.Generator;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// <c>generate --events N [--seed S] [--rate R] --out DIR</c> writes the generator's lines into persons.csv, auctions.csv
/// and bids.csv, and refuses bad arguments with exit code 2 and the usage.
/// </summary>
public class GenerateCommandTests
{
    [Fact]
    public void Generate_WritesEachKindsLines_IntoItsFile()
    {
        string directory = Directory.CreateTempSubdirectory("nexmark-generate-").FullName;
        try
        {
            var output = new StringWriter();
            int exit = GenerateCommand.Run(["--events", "3000", "--seed", "8", "--rate", "500", "--out", directory], output, TextWriter.Null);

            Assert.Equal(0, exit);
            Assert.Contains("60 persons, 180 auctions, 2760 bids", output.ToString(), StringComparison.Ordinal);
            NexmarkStream expected = NexmarkStream.Generate(new GeneratorConfig(Seed: 8, Events: 3000, Rate: 500));
            Assert.Equal(expected.Lines(EventKind.Person), File.ReadAllLines(Path.Combine(directory, "persons.csv")));
            Assert.Equal(expected.Lines(EventKind.Auction), File.ReadAllLines(Path.Combine(directory, "auctions.csv")));
            Assert.Equal(expected.Lines(EventKind.Bid), File.ReadAllLines(Path.Combine(directory, "bids.csv")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--events", "10" }, "give --out DIR")]
    [InlineData(new[] { "--out", "x" }, "give --events N")]
    [InlineData(new[] { "--events", "ten", "--out", "x" }, "--events ten is not a valid number")]
    [InlineData(new[] { "--events", "10", "--out", "x", "--rate", "0" }, "--rate 0 is not a valid number")]
    [InlineData(new[] { "--events", "10", "--out", "x", "--speed", "3" }, "unknown option '--speed'")]
    [InlineData(new[] { "--events" }, "--events needs a value")]
    public void Generate_RefusesBadArguments_WithExitCode2AndTheUsage(string[] args, string message)
    {
        var error = new StringWriter();
        int exit = GenerateCommand.Run(args, TextWriter.Null, error);

        Assert.Equal(2, exit);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(GenerateCommand.Usage, error.ToString(), StringComparison.Ordinal);
    }
}

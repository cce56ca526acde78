namespace Compiled.Generators.Tests.Snapshots;

/// <summary>
/// Compares generated source with a checked-in baseline in Baselines/. The generator's version is written as
/// %VERSION% so that a version bump does not touch every baseline. Set COMPILED_UPDATE_BASELINES=1 to write
/// the current output as the new baselines (then read the diff before committing it).
/// </summary>
internal static class Baseline
{
    public const string UpdateVariable = "COMPILED_UPDATE_BASELINES";

    public static void Match(string name, string generated)
    {
        string version = typeof(PipelineGenerator).Assembly.GetName().Version!.ToString();
        string actual = generated.Replace($"\"Compiled.Generators\", \"{version}\"", "\"Compiled.Generators\", \"%VERSION%\"").Replace("\r\n", "\n");
        string path = Path.Combine(GeneratorHarness.ProjectDirectory, "Baselines", name + ".g.cs");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"No baseline {path}; run the tests with {UpdateVariable}=1 to create it, then review it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            string[] expectedLines = expected.Split('\n');
            string[] actualLines = actual.Split('\n');
            int line = 0;
            while (line < expectedLines.Length && line < actualLines.Length && expectedLines[line] == actualLines[line])
            {
                line++;
            }

            Assert.Fail(
                $"Generated source for {name} differs from {path} at line {line + 1}:\n" +
                $"  expected: {(line < expectedLines.Length ? expectedLines[line] : "<end>")}\n" +
                $"  actual:   {(line < actualLines.Length ? actualLines[line] : "<end>")}\n" +
                $"If the change is intended, run the tests with {UpdateVariable}=1 and review the diff.");
        }
    }
}

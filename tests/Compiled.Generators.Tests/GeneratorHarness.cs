using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Compiled.Generators.Tests;

/// <summary>
/// Runs the pipeline generator the way the compiler does, on sources given as strings, with references taken
/// from the running runtime (no download) plus the Compiled runtime itself.
/// </summary>
internal static class GeneratorHarness
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    /// <summary>The directory of this test project's sources (for Inputs/ and Baselines/).</summary>
    public static string ProjectDirectory { get; } = FindProjectDirectory();

    /// <summary>
    /// The source of a test pipeline: Inputs/&lt;name&gt;.cs, except WordCount, which is the sample itself, so that
    /// its baseline always shows the code the sample runs.
    /// </summary>
    public static string InputPath(string name) => name == "WordCount"
        ? Path.Combine(ProjectDirectory, "..", "..", "samples", "WordCount", "WordCount.cs")
        : Path.Combine(ProjectDirectory, "Inputs", name + ".cs");

    // What the SDK's implicit usings give a console project, so inputs read like a user's files.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilationFromFiles(sources.Select((text, i) => ($"/src/Input{i}.cs", text)).ToArray());

    public static CSharpCompilation CreateCompilationFromFiles(params (string Path, string Text)[] files) =>
        CSharpCompilation.Create(
            "Tests",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, path: f.Path))
                .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "/src/GlobalUsings.g.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new PipelineGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the run result and the compilation with the generated trees added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics) Run(Compilation input)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (driver.GetRunResult(), output, diagnostics);
    }

    /// <summary>What the analyzers that ship with the generator report on a compilation (CMP0015), as the compiler runs them.</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation) =>
        compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new Analyzers.StageOutsidePipelineAnalyzer()))
            .GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();

    /// <summary>Diagnostics of the output compilation at warning level or above, excluding the generator's own.</summary>
    public static ImmutableArray<Diagnostic> CompilerProblems(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll"
                || Path.GetFileName(p).StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            .ToList();
        paths.Add(typeof(Compiled.PipelineAttribute).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    // Not [CallerFilePath]: a CI build maps source paths (ContinuousIntegrationBuild), so the repository is
    // found from the test assembly's own location instead.
    private static string FindProjectDirectory()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Compiled.sln")))
            {
                return Path.Combine(directory, "tests", "Compiled.Generators.Tests");
            }
        }

        throw new InvalidOperationException("The generator tests must run from inside the repository: no Compiled.sln above " + AppContext.BaseDirectory);
    }
}

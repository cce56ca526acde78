using System.Reflection;
using System.Text.RegularExpressions;

namespace Compiled.EndToEnd.Tests;

/// <summary>The README's reference parts agree with the code: every attribute is in the table, every shell example runs in any shell.</summary>
public partial class ReadmeReferenceTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");

    [Fact]
    public void Readme_AttributeTable_ListsEveryAttributeAUserWrites()
    {
        string table = Section("## Attributes");
        string[] attributes = typeof(PipelineAttribute).Assembly.GetExportedTypes()
            .Where(t => t.IsSealed && typeof(Attribute).IsAssignableFrom(t) && t.Namespace == "Compiled")
            .Select(t => t.Name[..^"Attribute".Length])
            .ToArray();
        Assert.NotEmpty(attributes);

        string[] missing = attributes.Where(name => !Regex.IsMatch(table, @"`\[" + name + @"[\(\]]")).ToArray();
        Assert.True(missing.Length == 0, "The README's attribute table lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Readme_ShellExamples_QuoteEveryWordWithAGlobOrAQuery()
    {
        // zsh stops at an unmatched glob ('no matches found'), and bash expands a matching one: a URI with '?' or '*'
        // must be quoted to reach the program as written.
        var unquoted = new List<string>();
        foreach (Match block in ShellBlock().Matches(Readme))
        {
            foreach (string line in block.Groups[1].Value.Split('\n'))
            {
                string code = line.Split(" #")[0];
                foreach (Match word in UnquotedWord().Matches(QuotedText().Replace(code, "''")))
                {
                    if (word.Value.IndexOfAny(['?', '*']) >= 0)
                    {
                        unquoted.Add(word.Value + "   in   " + line.Trim());
                    }
                }
            }
        }

        Assert.NotEmpty(ShellBlock().Matches(Readme));
        Assert.True(unquoted.Count == 0, "Unquoted shell words with a glob character:\n" + string.Join("\n", unquoted));
    }

    [Fact]
    public void Readme_SaysHowToSeeTheGeneratedCodeAndHowToReferenceThePackage()
    {
        Assert.Contains("EmitCompilerGeneratedFiles", Readme, StringComparison.Ordinal);
        Assert.Contains("dotnet pack compiled/src/Compiled", Readme, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"Compiled\"", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Readme_TestDriverSection_NamesTheOutputTypeOfEveryCaptureSink()
    {
        string section = Section("## Testing a pipeline");
        Type[] captures = typeof(Compiled.Testing.CaptureSink<>).Assembly.GetExportedTypes()
            .Where(t => t.IsSealed && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(Compiled.Testing.CaptureSink<>))
            .ToArray();
        Assert.NotEmpty(captures);

        // What a test compares for each kind of sink record, as the README's table writes it. A new capture type fails
        // here until the README's table and this list describe it.
        var rows = new Dictionary<string, string>
        {
            ["TextCapture"] = "| byte records (`ReadOnlySpan<byte>`), and `ref struct` records | `TestOutput<string>`",
            ["KeyValueCapture`1"] = "| `KeyValue<V>`, or a byte key and a value | `TestOutput<(string Key, V Value)>`",
            ["RecordCapture`1"] = "| any other `T` (numbers, tuples, `Windowed<K, V>`, your structs) | `TestOutput<T>`",
            ["GroupCapture`1"] = "| `Grouped<V>` | `TestOutput<Group<string, V>>`",
            ["StructGroupCapture`2"] = "| `Grouped<K, V>` | `TestOutput<Group<K, V>>`",
            ["WindowedCapture`1"] = "| `Windowed<V>` | `TestOutput<(EventWindow Window, string Key, V Value)>`",
        };
        var missing = new List<string>();
        foreach (Type capture in captures)
        {
            if (!rows.TryGetValue(capture.Name, out string? row) || !section.Contains(row, StringComparison.Ordinal))
            {
                missing.Add(capture.Name);
            }
        }

        Assert.True(missing.Count == 0, "The README's test driver section does not describe: " + string.Join(", ", missing));
    }

    private static string Section(string heading)
    {
        int start = Readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"The README has no '{heading}' section.");
        int end = Readme.IndexOf("\n## ", start + heading.Length + 2, StringComparison.Ordinal);
        return end < 0 ? Readme[start..] : Readme[start..end];
    }

    [GeneratedRegex(@"```(?:sh|bash)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex QuotedText();

    [GeneratedRegex(@"[^\s'""]+")]
    private static partial Regex UnquotedWord();
}

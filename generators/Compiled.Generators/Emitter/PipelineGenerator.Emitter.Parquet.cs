using System.Collections.Generic;
using System.Linq;
using System.Text;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Compiled.Generators.Records;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            private const string ParquetRuntime = "global::Compiled.Parquet";
            private const string ParquetColumnsNamespace = "global::Compiled.Parquet.Columns";

            /// <summary>The class of a sink's Parquet columns, nested in the job's <c>SinkWriters</c>: <c>OutputParquet</c>.</summary>
            private static string ParquetColumnsClass(StageModel sink) => sink.Name + "Parquet";

            /// <summary>
            /// The Parquet columns of a sink's records, for a project that references Compiled.Parquet: one typed column per
            /// leaf of the record, named as its CSV header names it (a nested tuple's or record's as <c>value.Sum</c>), and an
            /// <c>Append</c> that adds each member to its column with one direct call.
            /// </summary>
            private static void EmitParquetColumns(SourceWriter w, StageModel sink, RecordType record)
            {
                List<WriterField> columns = SinkColumns(record);
                bool group = record.Shape == RecordShape.Group;
                var leaves = new List<ParquetLeaf>();
                var taken = new HashSet<string>(System.StringComparer.Ordinal);
                IEnumerable<(WriterField Leaf, string Path, string Expression)> walked = group
                    ? new[] { (columns[0], "key", "record.Key"), (columns[1], "value", "record.Values[index]") }
                        .SelectMany(c => c.Item1.Kind is WriterKind.Tuple or WriterKind.Record
                            ? RecordWriterEmitter.Leaves(c.Item1.Children, c.Item2, c.Item3)
                            : new[] { (c.Item1, c.Item2, c.Item3) })
                    : RecordWriterEmitter.Leaves(columns, "", "record");
                foreach ((WriterField leaf, string path, string expression) in walked)
                {
                    if (leaf.Kind == WriterKind.Empty)
                    {
                        continue;
                    }

                    string name = UniqueIdentifier(path, taken);
                    leaves.Add(new ParquetLeaf(leaf, path, expression, name, ParquetColumnType(leaf)));
                }

                string className = ParquetColumnsClass(sink);
                string type = record.Type.Code;
                if (leaves.Count == 0)
                {
                    // A [Record] without columns, which its own diagnostic (CMP0105) refuses: the class still compiles, so that
                    // the record's error is the only one.
                    EmitNoParquetColumns(w, sink, className, type);
                    return;
                }

                w.Line($"/// <summary>Sink {sink.Name}'s records as Parquet columns ({string.Join(", ", leaves.Select(l => Xml(l.Path)))}), for a parquet:// URI.</summary>");
                w.Open($"public sealed class {className} : {ParquetColumnsNamespace}.ParquetColumns");
                foreach (ParquetLeaf leaf in leaves)
                {
                    w.Line($"private readonly {leaf.ColumnType} _{leaf.Name};");
                }

                w.Line();
                w.Line("/// <summary>Creates the columns, named as the sink's CSV header names them.</summary>");
                w.Line($"public {className}()");
                w.Line("    : this(");
                for (int i = 0; i < leaves.Count; i++)
                {
                    w.Line($"        new {leaves[i].ColumnType}({ColumnArguments(leaves[i])}){(i < leaves.Count - 1 ? "," : ")")}");
                }

                w.Open();
                w.Close();
                w.Line();
                w.Line($"private {className}(");
                for (int i = 0; i < leaves.Count; i++)
                {
                    w.Line($"    {leaves[i].ColumnType} @{leaves[i].Name}{(i < leaves.Count - 1 ? "," : ")")}");
                }

                w.Line($"    : base({string.Join(", ", leaves.Select(l => "@" + l.Name))})");
                w.Open();
                foreach (ParquetLeaf leaf in leaves)
                {
                    w.Line($"_{leaf.Name} = @{leaf.Name};");
                }

                w.Close();
                w.Line();
                w.Line($"/// <summary>Appends a record of sink {sink.Name} as {(group ? "a row per value: key, value" : "one row")}.</summary>");
                w.Open($"public void Append(in {type} record)");
                if (group)
                {
                    w.Open("for (int index = 0; index < record.Values.Length; index++)");
                }

                foreach (ParquetLeaf leaf in leaves)
                {
                    w.Line($"// {leaf.Path}");
                    EmitParquetAppend(w, leaf.Field, "_" + leaf.Name, leaf.Expression);
                }

                if (group)
                {
                    w.Close();
                }

                w.Close();
                w.Close();
            }

            // The columns of a sink whose record has none: the base refuses them (a Parquet file needs a column), and Append has nothing to add.
            private static void EmitNoParquetColumns(SourceWriter w, StageModel sink, string className, string type)
            {
                w.Line($"/// <summary>Sink {sink.Name}'s records have no columns to write as Parquet: their record declares none.</summary>");
                w.Open($"public sealed class {className} : {ParquetColumnsNamespace}.ParquetColumns");
                w.Line("/// <summary>Throws: a Parquet file needs at least one column.</summary>");
                w.Line($"public {className}()");
                w.Line("    : base()");
                w.Open();
                w.Close();
                w.Line();
                w.Line($"/// <summary>Appends nothing: a record of sink {sink.Name} has no columns.</summary>");
                w.Open($"public void Append(in {type} record)");
                w.Close();
                w.Close();
            }

            // The column type of a leaf: a typed column for numbers, booleans, Guids and times (nullable for a Nullable<T>), a
            // text column for everything written as text.
            private static string ParquetColumnType(WriterField leaf)
            {
                bool nullable = leaf.Kind == WriterKind.Nullable;
                WriterField value = nullable ? leaf.Children[0] : leaf;
                string? typed = ParquetValueType(value);
                return typed is null
                    ? $"{ParquetColumnsNamespace}.TextColumn"
                    : $"{ParquetColumnsNamespace}.{(nullable ? "NullableColumn" : "ValueColumn")}<{typed}>";
            }

            // The CLR type of a typed column for a value, or null when the value is written as text.
            private static string? ParquetValueType(WriterField value) => value.Kind switch
            {
                WriterKind.Number when value.TypeCode is "global::System.Int128" or "global::System.UInt128" => null,
                WriterKind.Number or WriterKind.Float or WriterKind.Boolean => value.TypeCode,
                WriterKind.Plain when value.TypeCode == "global::System.Guid" => value.TypeCode,
                WriterKind.Time => "global::System.DateTime",
                _ => null,
            };

            // A text column is optional when its value may be missing: a string (a null reference), any other object, a Nullable<T>.
            private static string ColumnArguments(ParquetLeaf leaf)
            {
                string name = CSharpLiterals.String(leaf.Path);
                if (!leaf.ColumnType.EndsWith(".TextColumn", System.StringComparison.Ordinal))
                {
                    return name;
                }

                bool nullable = leaf.Field.Kind is WriterKind.Nullable or WriterKind.Object || (leaf.Field.Kind == WriterKind.String && leaf.Field.TypeCode == "string");
                return name + (nullable ? ", nullable: true" : ", nullable: false");
            }

            // The statements that append one value to its column.
            private static void EmitParquetAppend(SourceWriter w, WriterField leaf, string column, string e)
            {
                if (leaf.Kind == WriterKind.Nullable)
                {
                    WriterField inner = leaf.Children[0];
                    if (ParquetValueType(inner) is not null)
                    {
                        w.Line(inner.Kind == WriterKind.Time
                            ? $"{column}.Add({e}.HasValue ? {ParquetColumnsNamespace}.ParquetTime.Utc({e}.GetValueOrDefault()) : null);"
                            : $"{column}.Add({e});");
                        return;
                    }

                    w.Open($"if ({e}.HasValue)");
                    EmitParquetAppend(w, inner, column, e + ".GetValueOrDefault()");
                    w.Close();
                    w.Open("else");
                    w.Line($"{column}.AddNull();");
                    w.Close();
                    return;
                }

                if (ParquetValueType(leaf) is not null)
                {
                    w.Line(leaf.Kind == WriterKind.Time
                        ? $"{column}.Add({ParquetColumnsNamespace}.ParquetTime.Utc({e}));"
                        : $"{column}.Add({e});");
                    return;
                }

                switch (leaf.Kind)
                {
                    case WriterKind.Bytes:
                        w.Line($"{column}.AddUtf8({e});");
                        break;
                    case WriterKind.Text:
                        w.Line($"{column}.AddUtf8({e}.Span);");
                        break;
                    case WriterKind.String:
                        w.Line($"{column}.Add({e});");
                        break;
                    case WriterKind.Enum:
                        // By its member's name, as the CSV and JSON writers write it; a value no member has, by its number.
                        w.Open($"switch ({e})");
                        foreach (string name in leaf.EnumNames)
                        {
                            w.Line($"case {leaf.TypeCode}.@{name}: {column}.Add({CSharpLiterals.String(name)}); break;");
                        }

                        w.Line($"default: {column}.AddFormatted(({leaf.Format}){e}); break;");
                        w.Close();
                        break;
                    case WriterKind.Number or WriterKind.Plain or WriterKind.Formattable:
                        w.Line($"{column}.AddFormatted({e});");
                        break;
                    default:
                        w.Line($"{column}.AddObject({e});");
                        break;
                }
            }

            // A C# identifier for a column path (value.Sum → value_Sum), in lower camel case, unique within the class.
            private static string UniqueIdentifier(string path, HashSet<string> taken)
            {
                var text = new StringBuilder();
                foreach (char c in path)
                {
                    text.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
                }

                if (text.Length == 0 || char.IsDigit(text[0]))
                {
                    text.Insert(0, "column");
                }

                text[0] = char.ToLowerInvariant(text[0]);
                string name = text.ToString();
                string unique = name;
                for (int i = 2; !taken.Add(unique); i++)
                {
                    unique = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return unique;
            }

            private sealed record ParquetLeaf(WriterField Field, string Path, string Expression, string Name, string ColumnType);
        }
    }
}

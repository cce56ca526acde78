using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Compiled.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators.Records
{
    /// <summary>
    /// Reads how a type is written by the generated CSV and JSON writers (<see cref="WriterField"/>), from its symbol:
    /// the pipeline generator for a sink's record type, the record generator for a <c>[Record]</c> struct's own writers.
    /// </summary>
    internal static class RecordWriterFields
    {
        private const string ColumnAttribute = "Compiled.ColumnAttribute";

        /// <summary>The <see cref="WriterField.Format"/> of a record declared <c>Header = RecordHeader.None</c>: its files have no header row.</summary>
        public const string NoHeader = "no header";

        // Tuples in tuples in records: deeper than this a value is written by its ToString().
        private const int MaxDepth = 8;

        private static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        /// <summary>How a value of <paramref name="type"/> is written, named <paramref name="name"/> and read through <paramref name="access"/>.</summary>
        public static WriterField Of(ITypeSymbol type, string name, string access, string? format = null, int depth = 0)
        {
            string code = type.ToDisplayString(CodeFormat);
            WriterField Leaf(WriterKind kind, string? leafFormat = null) =>
                new(name, access, kind, code, leafFormat, ',', EquatableArray<string>.Empty, EquatableArray<WriterField>.Empty);

            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                WriterField inner = Of(nullable.TypeArguments[0], name, ".Value", format, depth + 1);
                return inner.Kind is WriterKind.Tuple or WriterKind.Record or WriterKind.Nullable
                    ? Leaf(WriterKind.Object)
                    : new WriterField(name, access, WriterKind.Nullable, code, null, ',', EquatableArray<string>.Empty, new[] { inner }.ToEquatableArray());
            }

            if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType)
            {
                // One name per value: an alias (two members of one value) would be a second case of the same constant.
                var seen = new HashSet<object>();
                EquatableArray<string> names = enumType.GetMembers().OfType<IFieldSymbol>()
                    .Where(f => f.IsConst && f.ConstantValue is not null && seen.Add(f.ConstantValue))
                    .Select(f => f.Name).ToEquatableArray();
                return new WriterField(name, access, WriterKind.Enum, code, enumType.EnumUnderlyingType?.ToDisplayString(CodeFormat) ?? "int", ',', names, EquatableArray<WriterField>.Empty);
            }

            switch (type.SpecialType)
            {
                case SpecialType.System_Int64 or SpecialType.System_Int32 or SpecialType.System_Int16 or SpecialType.System_SByte
                    or SpecialType.System_UInt64 or SpecialType.System_UInt32 or SpecialType.System_UInt16 or SpecialType.System_Byte
                    or SpecialType.System_Decimal:
                    return Leaf(WriterKind.Number);
                case SpecialType.System_Double or SpecialType.System_Single:
                    return Leaf(WriterKind.Float);
                case SpecialType.System_Boolean:
                    return Leaf(WriterKind.Boolean);
                case SpecialType.System_String or SpecialType.System_Char:
                    return Leaf(WriterKind.String);
                case SpecialType.System_DateTime:
                    return Leaf(WriterKind.Time, format);
            }

            switch (type.OriginalDefinition.ToDisplayString())
            {
                case "System.DateTimeOffset":
                    return Leaf(WriterKind.Time, format);
                case "System.Guid":
                    return Leaf(WriterKind.Plain);
                case "System.Int128" or "System.UInt128":
                    return Leaf(WriterKind.Number);
                case "Compiled.Utf8Text":
                    return Leaf(WriterKind.Text);
                case "System.ReadOnlySpan<T>" when type is INamedTypeSymbol { TypeArguments.Length: 1 } span && span.TypeArguments[0].SpecialType == SpecialType.System_Byte:
                    return Leaf(WriterKind.Bytes);
            }

            if (depth < MaxDepth && type is INamedTypeSymbol { IsTupleType: true } tuple)
            {
                var elements = new List<WriterField>();
                for (int i = 0; i < tuple.TupleElements.Length; i++)
                {
                    IFieldSymbol element = tuple.TupleElements[i];
                    string elementName = element.IsExplicitlyNamedTupleElement ? element.Name : "";
                    elements.Add(Of(element.Type, elementName, ".Item" + (i + 1), null, depth + 1));
                }

                return new WriterField(name, access, WriterKind.Tuple, code, null, ',', EquatableArray<string>.Empty, elements.ToEquatableArray());
            }

            if (depth < MaxDepth && RecordParser.IsRecord(type))
            {
                return RecordOf(type, name, access, depth);
            }

            if (type.AllInterfaces.Any(i => i.ToDisplayString() == "System.IUtf8SpanFormattable"))
            {
                return Leaf(WriterKind.Formattable);
            }

            return Leaf(WriterKind.Object);
        }

        /// <summary>
        /// A <c>[Record]</c> struct's columns, in the order its CSV parser reads them by position: each member at its
        /// <c>[Column(Index)]</c>, or at its place in the declaration; a column no member fills is written empty.
        /// </summary>
        private static WriterField RecordOf(ITypeSymbol type, string name, string access, int depth)
        {
            char separator = ',';
            bool headerless = false;
            AttributeData? record = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RecordParser.RecordAttribute);
            foreach (KeyValuePair<string, TypedConstant> argument in record?.NamedArguments ?? Enumerable.Empty<KeyValuePair<string, TypedConstant>>())
            {
                if (argument.Key == "Separator" && argument.Value.Value is char c)
                {
                    separator = c;
                }
                else if (argument.Key == "Header" && argument.Value.Value is int header)
                {
                    headerless = header == 2;
                }
            }

            var columns = new SortedDictionary<int, WriterField>();
            int position = 0;
            foreach (ISymbol member in type.GetMembers())
            {
                ITypeSymbol? memberType = member switch
                {
                    IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Public, IsReadOnly: false } field => field.Type,
                    IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, SetMethod.DeclaredAccessibility: Accessibility.Public } property => property.Type,
                    _ => null,
                };
                if (memberType is null)
                {
                    continue;
                }

                AttributeData? column = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ColumnAttribute);
                string columnName = column?.ConstructorArguments.FirstOrDefault().Value as string ?? member.Name;
                int index = position++;
                string? format = null;
                foreach (KeyValuePair<string, TypedConstant> argument in column?.NamedArguments ?? Enumerable.Empty<KeyValuePair<string, TypedConstant>>())
                {
                    if (argument.Key == "Index" && argument.Value.Value is int i && i >= 0)
                    {
                        index = i;
                    }
                    else if (argument.Key == "Format")
                    {
                        format = argument.Value.Value as string;
                    }
                }

                if (!columns.ContainsKey(index))
                {
                    columns.Add(index, Of(memberType, columnName, "." + member.Name, format, depth + 1));
                }
            }

            var children = new List<WriterField>();
            foreach (KeyValuePair<int, WriterField> column in columns)
            {
                while (children.Count < column.Key)
                {
                    children.Add(new WriterField("", "", WriterKind.Empty, "", null, ',', EquatableArray<string>.Empty, EquatableArray<WriterField>.Empty));
                }

                children.Add(column.Value);
            }

            return new WriterField(name, access, WriterKind.Record, type.ToDisplayString(CodeFormat), headerless ? NoHeader : null, separator, EquatableArray<string>.Empty, children.ToEquatableArray());
        }

        /// <summary>
        /// The writers of a <c>[Record]</c> struct, or <see langword="null"/> when its CSV parser cannot be generated either
        /// (the record generator reports why): not partial, or a member of a type a field cannot be read as.
        /// </summary>
        public static RecordWriterModel? ParseRecord(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (TypeDeclarationSyntax)context.TargetNode;
            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return null;
            }

            var containers = new List<string>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (outer.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not TypeDeclarationSyntax outerSyntax
                    || !outerSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return null;
                }

                string keyword = outerSyntax is RecordDeclarationSyntax r ? "record " + (r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "struct" : "class") : outerSyntax.Keyword.Text;
                containers.Insert(0, $"partial {keyword} {outer.Name}");
            }

            WriterField record = RecordOf(type, "", "", 0);
            // The CSV parser reads numbers, booleans, enums, times, Guids and text, and nullables of all but text; a record
            // it refuses gets no writers either.
            static bool Unreadable(WriterField c) => c.Kind is WriterKind.Tuple or WriterKind.Record or WriterKind.Object
                || (c.Kind == WriterKind.Plain && c.TypeCode != "global::System.Guid") || c.Kind == WriterKind.Formattable || c.Kind == WriterKind.Bytes;
            if (record.Children.Count == 0 || record.Children.Any(c => c.Kind == WriterKind.Nullable
                    ? c.Children.Count != 1 || Unreadable(c.Children[0]) || c.Children[0].Kind is WriterKind.Nullable or WriterKind.Text
                    : Unreadable(c)))
            {
                return null;
            }

            string keywordOf = syntax is RecordDeclarationSyntax ? "record struct" : "struct";
            string hint = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "").Replace('<', '[').Replace('>', ']') + ".RecordWriter.g.cs";
            return new RecordWriterModel(type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(), containers.ToEquatableArray(),
                keywordOf, type.Name, hint, record);
        }
    }
}

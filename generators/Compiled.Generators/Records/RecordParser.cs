using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators.Records
{
    /// <summary>Reads a <c>[Record]</c> struct into a <see cref="RecordModel"/>, reporting what cannot be generated.</summary>
    internal static class RecordParser
    {
        public const string RecordAttribute = "Compiled.RecordAttribute";
        private const string ColumnAttribute = "Compiled.ColumnAttribute";
        private const string Utf8Text = "Compiled.Utf8Text";

        private static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>The value of <c>RecordFormat.Json</c>.</summary>
        public const int JsonFormat = 1;

        /// <summary>The format a <c>[Record]</c> struct declares: 0 for CSV, <see cref="JsonFormat"/> for JSON lines.</summary>
        public static int DeclaredFormat(ITypeSymbol type) =>
            type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RecordAttribute)?.NamedArguments
                .FirstOrDefault(a => a.Key == "Format").Value.Value is int format ? format : 0;

        /// <summary>
        /// For a source that reads a record as JSON lines: the first column of <paramref name="type"/> that is not a JSON
        /// path, with its member and why, or <see langword="null"/> when every column is one.
        /// </summary>
        public static (string Column, string Member, string Problem)? JsonPathProblemOf(ITypeSymbol type)
        {
            var columns = new List<string>();
            var names = new List<string>();
            foreach (ISymbol member in ColumnMembers(type))
            {
                AttributeData? attribute = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ColumnAttribute);
                columns.Add(attribute?.ConstructorArguments.FirstOrDefault().Value as string ?? member.Name);
                names.Add(member.Name);
            }

            return JsonPathProblem(columns) is { } problem ? (Quote(columns[problem.Member]), names[problem.Member], problem.Problem) : null;
        }

        // The first column that is not a JSON path (a segment between dots is empty; a path is both a value and an object).
        private static (int Member, string Problem)? JsonPathProblem(IReadOnlyList<string> columns)
        {
            for (int i = 0; i < columns.Count; i++)
            {
                if (columns[i].Split('.').Any(segment => segment.Length == 0))
                {
                    return (i, "a name between dots is empty; write names separated by single dots, as \"user.id\"");
                }

                for (int j = 0; j < columns.Count; j++)
                {
                    if (columns[j].StartsWith(columns[i] + ".", StringComparison.Ordinal))
                    {
                        return (i, $"it names a value, and '{columns[j]}' reads into it as into an object; rename one of them");
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// The members of <paramref name="type"/> that are columns, in the order the generated parsers number them (a
        /// member's bit in a parser's <c>members</c> mask is its place here): public instance fields that are not read-only
        /// and public properties with a public setter or init accessor.
        /// </summary>
        public static IEnumerable<ISymbol> ColumnMembers(ITypeSymbol type) => type.GetMembers().Where(m => ColumnType(m) is not null);

        /// <summary>Whether a <c>[Record]</c> struct reads one line per record (<c>MultiLine = false</c>).</summary>
        public static bool IsSingleLine(ITypeSymbol type) =>
            type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RecordAttribute)?.NamedArguments
                .FirstOrDefault(a => a.Key == "MultiLine").Value.Value is false;

        /// <summary>The header a <c>[Record]</c> struct declares: 0 names, 1 skip, 2 none.</summary>
        public static int DeclaredHeader(ITypeSymbol type) =>
            type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RecordAttribute)?.NamedArguments
                .FirstOrDefault(a => a.Key == "Header").Value.Value is int header ? header : 0;

        // The type of a member that is a column, or null for one that is not.
        private static ITypeSymbol? ColumnType(ISymbol member) => member switch
        {
            IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Public, IsReadOnly: false } field => field.Type,
            IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, SetMethod: { DeclaredAccessibility: Accessibility.Public } } property => property.Type,
            _ => null,
        };

        /// <summary>Whether <paramref name="type"/> is declared <c>[Record]</c> (the pipeline generator asks, for a <c>Lines&lt;T&gt;</c> source).</summary>
        public static bool IsRecord(ITypeSymbol type) =>
            type.TypeKind == TypeKind.Struct && type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == RecordAttribute);

        public static RecordResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
            Parse((INamedTypeSymbol)context.TargetSymbol, (TypeDeclarationSyntax)context.TargetNode, context.Attributes[0], cancellationToken);

        /// <summary>
        /// For the pipeline generator: the model that the record generator makes of a <c>[Record]</c> struct declared in the
        /// compilation, so that both read its columns by the same rules; <see langword="null"/> for a struct whose parser is
        /// not generated here (declared in another assembly, or with an error).
        /// </summary>
        public static RecordModel? ModelOf(ITypeSymbol type, CancellationToken cancellationToken)
        {
            AttributeData? attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == RecordAttribute);
            return type is INamedTypeSymbol named
                && attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } syntax
                ? Parse(named, syntax, attribute, cancellationToken).Model
                : null;
        }

        private static RecordResult Parse(INamedTypeSymbol type, TypeDeclarationSyntax syntax, AttributeData attribute, CancellationToken cancellationToken)
        {
            var diagnostics = new List<Diagnostic>();
            string name = type.Name;

            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.RecordNotPartial, syntax.Identifier.GetLocation(), name, ""));
            }

            var containers = new List<string>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                SyntaxReference? reference = outer.DeclaringSyntaxReferences.FirstOrDefault();
                if (reference?.GetSyntax(cancellationToken) is TypeDeclarationSyntax outerSyntax)
                {
                    if (!outerSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.RecordNotPartial, syntax.Identifier.GetLocation(), name,
                            $", and so must the type '{outer.Name}' that contains it"));
                    }

                    string keyword = outerSyntax is RecordDeclarationSyntax r ? "record " + (r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "struct" : "class") : outerSyntax.Keyword.Text;
                    containers.Insert(0, $"partial {keyword} {outer.Name}");
                }
            }

            char separator = ',';
            int header = 0;
            int onBadRecord = 0;
            int recordFormat = 0;
            bool multiLine = true;
            bool checkUnreadColumns = true;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                switch (argument.Key)
                {
                    case "Separator" when argument.Value.Value is char c:
                        separator = c;
                        break;
                    case "Header" when argument.Value.Value is int h:
                        header = h;
                        break;
                    case "OnBadRecord" when argument.Value.Value is int p:
                        onBadRecord = p;
                        break;
                    case "Format" when argument.Value.Value is int f:
                        recordFormat = f;
                        break;
                    case "MultiLine" when argument.Value.Value is bool m:
                        multiLine = m;
                        break;
                    case "CheckUnreadColumns" when argument.Value.Value is bool c:
                        checkUnreadColumns = c;
                        break;
                }
            }

            // A JSON record finds its members by name: a separator or a header row means nothing to it.
            bool json = recordFormat == JsonFormat;
            if (json)
            {
                foreach (string setting in new[] { "Separator", "Header", "MultiLine", "CheckUnreadColumns" })
                {
                    if (ArgumentLocation(attribute, setting) is { } settingLocation)
                    {
                        diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.JsonIgnoresSetting, settingLocation, setting, name));
                    }
                }
            }

            // Unread columns go unchecked only where each line is a record: a multi-line record's quotes are followed over every column.
            if (!json && !checkUnreadColumns && multiLine)
            {
                diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidRecordFormat, ArgumentLocation(attribute, "CheckUnreadColumns") ?? syntax.Identifier.GetLocation(),
                    "CheckUnreadColumns = false", name, "a record whose quoted fields may hold line breaks has its quotes followed through every column, read or not; declare it MultiLine = false too (each line one record), or remove CheckUnreadColumns"));
                checkUnreadColumns = true;
            }

            if (separator is '"' or '\r' or '\n' || separator > '\x7f')
            {
                diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidRecordFormat, ArgumentLocation(attribute, "Separator") ?? syntax.Identifier.GetLocation(),
                    $"The separator {Quote(separator.ToString())}", name, "a separator is one ASCII character other than a quote, \\r or \\n; use ',', ';', '\\t' or '|'"));
            }

            var members = new List<RecordMember>();
            var locations = new List<Location>();
            int position = 0;
            foreach (ISymbol member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                ITypeSymbol? memberType = ColumnType(member);
                if (memberType is null)
                {
                    continue;
                }

                Location location = member.Locations.FirstOrDefault() ?? syntax.Identifier.GetLocation();
                AttributeData? column = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ColumnAttribute);
                string columnName = column?.ConstructorArguments.FirstOrDefault().Value as string ?? member.Name;
                int index = -1;
                string? format = null;
                string? defaultText = null;
                if (column is not null)
                {
                    foreach (KeyValuePair<string, TypedConstant> argument in column.NamedArguments)
                    {
                        switch (argument.Key)
                        {
                            case "Index" when argument.Value.Value is int i:
                                index = i;
                                break;
                            case "Format":
                                format = argument.Value.Value as string;
                                break;
                            case "Default":
                                defaultText = argument.Value.Value as string;
                                break;
                        }
                    }
                }

                int memberPosition = position++;
                // A nullable struct member is read as the struct it wraps, and is null where its field is missing or empty.
                ITypeSymbol? wrapped = memberType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableType
                    ? nullableType.TypeArguments[0]
                    : null;
                ITypeSymbol readType = wrapped ?? memberType;
                (MemberKind kind, string? reader) = KindOf(readType);
                string display = memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                if (reader is null && kind == MemberKind.Value)
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.UnsupportedRecordMember, location, member.Name, name,
                        $"of type '{display}', which a CSV field cannot be read as"));
                    continue;
                }

                if (wrapped is not null && kind == MemberKind.Text)
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.UnsupportedRecordMember, location, member.Name, name,
                        $"of the nullable type '{display}' (text has no null: a Utf8Text is empty where its field is missing or empty, so drop the '?' and test IsEmpty)"));
                    continue;
                }

                if (wrapped is not null && defaultText is not null)
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidRecordFormat, ArgumentLocation(column!, "Default") ?? location,
                        $"The default {Quote(defaultText)} of '{member.Name}'", name,
                        $"a nullable member is null where its field is missing or empty; remove Default, or make '{member.Name}' non-nullable to take the default there"));
                    continue;
                }

                if (json && index >= 0)
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.JsonIgnoresSetting, ArgumentLocation(column!, "Index") ?? location,
                        $"The Index of '{member.Name}'", name));
                }

                if (index < -1)
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidRecordFormat, ArgumentLocation(column!, "Index") ?? location,
                        $"The column index {index} of '{member.Name}'", name, "a column index is 0 or more (the first column is 0)"));
                    continue;
                }

                Location formatLocation = (column is null ? null : ArgumentLocation(column, "Format")) ?? location;
                if (format is not null && kind != MemberKind.Time)
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidRecordFormat, formatLocation,
                        $"The format {Quote(format)} of '{member.Name}'", name, $"a format applies to a DateTime or DateTimeOffset, and '{member.Name}' is '{display}'; remove Format"));
                    continue;
                }

                if (format is not null && !IsHonouredTimeFormat(format))
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidRecordFormat, formatLocation,
                        $"The format {Quote(format)} of '{member.Name}'", name,
                        "it is not a .NET date and time format that reads back what it writes (e.g. \"yyyy-MM-dd HH:mm:ss\"), nor \"unix\" (seconds) or \"unixms\" (milliseconds)"));
                    continue;
                }

                if (defaultText is not null && DefaultProblem(kind, reader, defaultText, readType) is { } problem)
                {
                    diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidRecordFormat, ArgumentLocation(column!, "Default") ?? location,
                        $"The default {Quote(defaultText)} of '{member.Name}'", name, problem));
                    continue;
                }

                EquatableArray<string> enumNames = kind == MemberKind.Enum
                    ? readType.GetMembers().OfType<IFieldSymbol>().Where(f => f.IsConst).Select(f => f.Name).ToEquatableArray()
                    : EquatableArray<string>.Empty;
                members.Add(new RecordMember(member.Name, readType.ToDisplayString(CodeFormat), kind, reader, columnName,
                    index >= 0 ? index : memberPosition, index >= 0, format, defaultText, enumNames, wrapped is not null));
                locations.Add((column is null ? null : column.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation()) ?? location);
            }

            // Two members reading one column: by name (ignoring ASCII case, as the header is matched), or by declared index.
            for (int i = 0; i < members.Count; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    string? clash =
                        members[i].ByPosition && members[j].ByPosition && members[i].Index == members[j].Index ? members[i].Index.ToString(CultureInfo.InvariantCulture)
                        : !members[i].ByPosition && !members[j].ByPosition && string.Equals(members[i].Column, members[j].Column, StringComparison.OrdinalIgnoreCase) ? Quote(members[i].Column)
                        : null;
                    if (clash is not null)
                    {
                        diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.DuplicateRecordColumn, locations[i], members[j].Name, members[i].Name, name, clash));
                    }
                }
            }

            // The columns as JSON paths: a JSON record must have good ones; a CSV record gets a JSON parser only if it has.
            (int Member, string Problem)? pathProblem = JsonPathProblem(members.Select(m => m.Column).ToList());
            if (json && pathProblem is { } bad)
            {
                diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.InvalidJsonPath, locations[bad.Member], Quote(members[bad.Member].Column), members[bad.Member].Name, name, bad.Problem));
            }

            if (members.Count == 0 && !diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                diagnostics.Add(Diagnostic.Create(RecordDiagnosticDescriptors.RecordHasNoColumns, syntax.Identifier.GetLocation(), name));
            }

            string keywordOf = syntax is RecordDeclarationSyntax ? "record struct" : "struct";
            string fullName = type.ToDisplayString(CodeFormat);
            string hint = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "").Replace('<', '[').Replace('>', ']') + ".Record.g.cs";
            RecordModel? model = !diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)
                ? new RecordModel(type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(), containers.ToEquatableArray(),
                    keywordOf, name, fullName, hint, separator, header, onBadRecord, members.ToEquatableArray(), pathProblem is null, multiLine, checkUnreadColumns)
                : null;
            return new RecordResult(model, new EquatableArray<Diagnostic>(diagnostics.ToArray()));
        }

        // The kind of a member's type and the CsvValues reader of a value or time; (Value, null) for a type no field is read as.
        private static (MemberKind Kind, string? Reader) KindOf(ITypeSymbol type)
        {
            if (type.TypeKind == TypeKind.Enum)
            {
                return (MemberKind.Enum, null);
            }

            switch (type.SpecialType)
            {
                case SpecialType.System_Int64: return (MemberKind.Value, "Int64");
                case SpecialType.System_Int32: return (MemberKind.Value, "Int32");
                case SpecialType.System_Int16: return (MemberKind.Value, "Int16");
                case SpecialType.System_SByte: return (MemberKind.Value, "SByte");
                case SpecialType.System_UInt64: return (MemberKind.Value, "UInt64");
                case SpecialType.System_UInt32: return (MemberKind.Value, "UInt32");
                case SpecialType.System_UInt16: return (MemberKind.Value, "UInt16");
                case SpecialType.System_Byte: return (MemberKind.Value, "Byte");
                case SpecialType.System_Double: return (MemberKind.Value, "Double");
                case SpecialType.System_Single: return (MemberKind.Value, "Single");
                case SpecialType.System_Decimal: return (MemberKind.Value, "Decimal");
                case SpecialType.System_Boolean: return (MemberKind.Value, "Boolean");
                case SpecialType.System_String: return (MemberKind.Value, "String");
                case SpecialType.System_DateTime: return (MemberKind.Time, "DateTime");
            }

            return type.ToDisplayString() switch
            {
                "System.DateTimeOffset" => (MemberKind.Time, "DateTimeOffset"),
                "System.Guid" => (MemberKind.Value, "Guid"),
                Utf8Text => (MemberKind.Text, null),
                _ => (MemberKind.Value, null),
            };
        }

        // A format reads back what it writes: a sample time, formatted and parsed exactly, gives the same text again.
        private static bool IsHonouredTimeFormat(string format)
        {
            if (format is "unix" or "unixms")
            {
                return true;
            }

            try
            {
                var sample = new DateTime(2026, 3, 1, 12, 30, 5, 250, DateTimeKind.Utc);
                string text = sample.ToString(format, CultureInfo.InvariantCulture);
                // A 12-hour clock without its AM/PM designator reads 13:30 back as 01:30.
                bool twelveHours = format.IndexOf('h') >= 0 && format.IndexOf('t') < 0;
                return format.Length > 1 && !twelveHours
                    && DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime back)
                    && back.ToString(format, CultureInfo.InvariantCulture) == text;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        // Why a default cannot be read as its member's type, or null when it can (numbers and booleans checked here).
        private static string? DefaultProblem(MemberKind kind, string? reader, string text, ITypeSymbol type)
        {
            bool ok = reader switch
            {
                "Int64" or "Int32" or "Int16" or "SByte" => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) && InRange(type.SpecialType, l),
                "UInt64" or "UInt32" or "UInt16" or "Byte" => ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong u) && InRange(type.SpecialType, u),
                "Double" or "Single" => double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _),
                "Decimal" => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
                "Boolean" => text is "0" or "1" || bool.TryParse(text, out _),
                "Guid" => Guid.TryParse(text, out _),
                _ => kind != MemberKind.Enum || type.GetMembers().OfType<IFieldSymbol>().Any(f => f.IsConst && string.Equals(f.Name, text, StringComparison.OrdinalIgnoreCase)),
            };
            return ok ? null : $"'{text}' is not a value of '{type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'; write the default as the field would be written in the file";
        }

        private static bool InRange(SpecialType type, long value) => type switch
        {
            SpecialType.System_Int32 => value >= int.MinValue && value <= int.MaxValue,
            SpecialType.System_Int16 => value >= short.MinValue && value <= short.MaxValue,
            SpecialType.System_SByte => value >= sbyte.MinValue && value <= sbyte.MaxValue,
            _ => true,
        };

        private static bool InRange(SpecialType type, ulong value) => type switch
        {
            SpecialType.System_UInt32 => value <= uint.MaxValue,
            SpecialType.System_UInt16 => value <= ushort.MaxValue,
            SpecialType.System_Byte => value <= byte.MaxValue,
            _ => true,
        };

        private static Location? ArgumentLocation(AttributeData attribute, string name) =>
            attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList: { } list }
                ? list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == name)?.GetLocation()
                : null;

        private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\t", "\\t").Replace("\r", "\\r").Replace("\n", "\\n") + "\"";
    }
}

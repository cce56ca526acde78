using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Diagnostics
{
    /// <summary>The diagnostics of <c>[Record]</c> declarations (CMP0101 on): each says what is wrong and how to fix it.</summary>
    internal static class RecordDiagnosticDescriptors
    {
        private const string Category = "Compiled";

        /// <summary>CMP0101: "Record '{0}' must be declared partial ...".</summary>
        public static readonly DiagnosticDescriptor RecordNotPartial = Error(
            "CMP0101", "Record struct is not partial",
            "Record '{0}' must be declared partial so that its parser can be generated into it; add the 'partial' keyword to the declaration of '{0}'{1}");

        /// <summary>CMP0102: "Member '{0}' of record '{1}' has type '{2}', which a CSV field cannot be read as; ...".</summary>
        public static readonly DiagnosticDescriptor UnsupportedRecordMember = Error(
            "CMP0102", "Record member of an unsupported type",
            "Member '{0}' of record '{1}' is {2}; give it one of the types a field can be read as (an integer type, double, float, decimal, bool, an enum, DateTime, DateTimeOffset, Guid, Utf8Text or string), or make it non-public so that it is not a column");

        /// <summary>CMP0103: "Members '{0}' and '{1}' of record '{2}' both read column {3}; ...".</summary>
        public static readonly DiagnosticDescriptor DuplicateRecordColumn = Error(
            "CMP0103", "Two record members read the same column",
            "Members '{0}' and '{1}' of record '{2}' both read column {3}; give one of them another [Column] name or Index");

        /// <summary>CMP0104: "{0} of record '{1}' cannot be honoured: {2}".</summary>
        public static readonly DiagnosticDescriptor InvalidRecordFormat = Error(
            "CMP0104", "A record's format cannot be honoured",
            "{0} of record '{1}' cannot be honoured: {2}");

        /// <summary>CMP0105: "Record '{0}' has no columns; ...".</summary>
        public static readonly DiagnosticDescriptor RecordHasNoColumns = Error(
            "CMP0105", "Record has no columns",
            "Record '{0}' has no columns; declare a public field or a public property with a setter for each column");

        /// <summary>CMP0106: "{0} of record '{1}' has no meaning in JSON lines, ...".</summary>
        public static readonly DiagnosticDescriptor JsonIgnoresSetting = new(
            "CMP0106", "A CSV setting on a JSON record",
            "{0} of record '{1}' has no meaning in JSON lines, which find each member by its property name or path; remove it, or declare the record CSV",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

        /// <summary>CMP0107: "Column {0} of '{1}' of record '{2}' is not a JSON path: {3}".</summary>
        public static readonly DiagnosticDescriptor InvalidJsonPath = Error(
            "CMP0107", "A record column is not a JSON path",
            "Column {0} of '{1}' of record '{2}' is not a JSON path: {3}");

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
    }
}

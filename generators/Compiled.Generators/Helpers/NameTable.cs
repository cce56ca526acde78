using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators.Helpers
{
    /// <summary>
    /// Hands out identifiers that are unique within one generated scope. A wanted name that is taken gets the
    /// first free numeric suffix (<c>count</c>, <c>count2</c>, <c>count3</c>), so the same requests in the same
    /// order always give the same names. Names compare case-exactly, as C# does.
    /// </summary>
    internal sealed class NameTable
    {
        private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);

        /// <summary>Takes <paramref name="name"/> as it is, for a name other code relies on; false if it was taken.</summary>
        public bool Reserve(string name) => _taken.Add(Unescaped(name));

        /// <summary>Returns <paramref name="wanted"/>, or it with the first free suffix, escaped with <c>@</c> if it is a keyword.</summary>
        public string Allocate(string wanted)
        {
            wanted = Unescaped(wanted);
            string name = wanted;
            for (int suffix = 2; !_taken.Add(name); suffix++)
            {
                name = wanted + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Escaped(name);
        }

        /// <summary>The identifier as C# source writes it: <c>@checked</c> for a keyword, the name otherwise.</summary>
        public static string Escaped(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        private static string Unescaped(string name) => name.Length > 1 && name[0] == '@' ? name.Substring(1) : name;
    }
}

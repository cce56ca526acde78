using System.Globalization;
using System.Text;

namespace Compiled.Generators.Helpers
{
    /// <summary>C# literals of the texts and characters that generated code holds: column names, defaults, separators.</summary>
    internal static class CSharpLiterals
    {
        /// <summary>A C# string literal of <paramref name="text"/>: quotes, backslashes and control characters escaped.</summary>
        public static string String(string text)
        {
            var builder = new StringBuilder("\"");
            foreach (char c in text)
            {
                builder.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ when c < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                    _ => c.ToString(),
                });
            }

            return builder.Append('"').ToString();
        }

        /// <summary>A C# UTF-8 string literal (<c>"..."u8</c>) of <paramref name="text"/>.</summary>
        public static string Utf8(string text) => String(text) + "u8";

        /// <summary>A C# character literal of <paramref name="c"/>.</summary>
        public static string Char(char c) => c switch
        {
            '\'' => "'\\''",
            '\\' => "'\\\\'",
            '\t' => "'\\t'",
            _ when c < ' ' => "'\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) + "'",
            _ => "'" + c + "'",
        };
    }
}

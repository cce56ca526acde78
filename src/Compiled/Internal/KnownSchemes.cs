// This file is compiled into both the runtime and the generator (netstandard2.0), so that the
// generator's check of a [Source]/[Sink] default URI and the runtime's binding agree.
namespace Compiled.Internal
{
    /// <summary>The URI schemes the runtime can bind, with a usage example for each.</summary>
    internal static class KnownSchemes
    {
        /// <summary>Source schemes and how to write them.</summary>
        public static readonly string[][] Sources =
        {
            new[] { "tcp", "tcp://host:port" },
            new[] { "file", "file:///path/to/file.txt, file:///logs/*.log or file:///incoming/" },
            new[] { "stdin", "stdin:" },
        };

        /// <summary>Sink schemes and how to write them.</summary>
        public static readonly string[][] Sinks =
        {
            new[] { "console", "console or console?num=20" },
            new[] { "file", "file:///out/prefix?suffix=txt" },
        };

        /// <summary>The scheme of <paramref name="uri"/> in lower case: the text before the first ':' or '?', or the whole text if it is a bare word.</summary>
        public static string SchemeOf(string uri)
        {
            int colon = uri.IndexOfAny(new[] { ':', '?' });
            return (colon < 0 ? uri : uri.Substring(0, colon)).Trim().ToLowerInvariant();
        }

        /// <summary>Whether <paramref name="scheme"/> is in <paramref name="table"/>.</summary>
        public static bool Contains(string[][] table, string scheme)
        {
            foreach (string[] row in table)
            {
                if (row[0] == scheme)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The usage examples of <paramref name="table"/>, joined with ", " for messages.</summary>
        public static string Usage(string[][] table)
        {
            var parts = new string[table.Length];
            for (int i = 0; i < table.Length; i++)
            {
                parts[i] = table[i][1];
            }

            return string.Join(", ", parts);
        }
    }
}

using System;
using System.Collections.Generic;

namespace Compiled.Generators.Helpers
{
    /// <summary>
    /// Finds the name a user most likely meant when a name they wrote (an <c>Input</c>, an <c>Inverse</c>, ...) names
    /// nothing, so that a diagnostic can ask "did you mean 'Subtract'?" before it says what to declare.
    /// </summary>
    internal static class NameSuggestion
    {
        /// <summary>
        /// The candidate nearest to <paramref name="name"/>, or <see langword="null"/> when none is near enough to be a
        /// typo of it: at most one edit in three letters of <paramref name="name"/> (and one edit for a name of one to
        /// five letters), not counting case. Of candidates equally near, the one nearest in case wins, then the first.
        /// </summary>
        public static string? Nearest(string name, IEnumerable<string> candidates)
        {
            int allowed = Math.Max(1, name.Length / 3);
            string folded = name.ToLowerInvariant();
            string? best = null;
            int bestDistance = int.MaxValue;
            int bestCaseDistance = int.MaxValue;
            foreach (string candidate in candidates)
            {
                if (candidate == name)
                {
                    continue;
                }

                int distance = Distance(folded, candidate.ToLowerInvariant());
                if (distance > allowed)
                {
                    continue;
                }

                int caseDistance = Distance(name, candidate);
                if (distance < bestDistance || (distance == bestDistance && caseDistance < bestCaseDistance))
                {
                    best = candidate;
                    bestDistance = distance;
                    bestCaseDistance = caseDistance;
                }
            }

            return best;
        }

        /// <summary>
        /// The optimal string alignment distance between <paramref name="a"/> and <paramref name="b"/>: the fewest
        /// insertions, deletions, substitutions and swaps of two adjacent characters that turn one into the other,
        /// editing no part twice (Damerau-Levenshtein as typos are counted). Ordinal and case-sensitive.
        /// </summary>
        public static int Distance(string a, string b)
        {
            // Three rows of the table: two back (for a swap), one back and the current one.
            var twoBack = new int[b.Length + 1];
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    int best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        best = Math.Min(best, twoBack[j - 2] + 1);
                    }

                    current[j] = best;
                }

                int[] oldest = twoBack;
                twoBack = previous;
                previous = current;
                current = oldest;
            }

            return previous[b.Length];
        }
    }
}

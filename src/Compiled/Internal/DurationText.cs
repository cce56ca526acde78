// This file is compiled into both the runtime and the generator (netstandard2.0), so that
// [Pipeline(BatchInterval = "...")] is checked at build time by the same rules the command line uses.
using System;
using System.Globalization;

namespace Compiled.Internal
{
    /// <summary>Reads durations written as a number and a unit: <c>500ms</c>, <c>1s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>.</summary>
    internal static class DurationText
    {
        /// <summary>How to write a duration, for error messages.</summary>
        public const string Usage = "a number and a unit (ms, s, m or h), e.g. 500ms, 1s, 2m";

        /// <summary>Parses <paramref name="text"/>; <see langword="false"/> if it is not a positive duration of whole milliseconds.</summary>
        public static bool TryParse(string? text, out TimeSpan duration)
        {
            duration = TimeSpan.Zero;
            if (text is null)
            {
                return false;
            }

            string trimmed = text.Trim();
            int unitStart = trimmed.Length;
            while (unitStart > 0 && char.IsLetter(trimmed[unitStart - 1]))
            {
                unitStart--;
            }

            string number = trimmed.Substring(0, unitStart);
            string unit = trimmed.Substring(unitStart).ToLowerInvariant();
            double scale;
            switch (unit)
            {
                case "ms": scale = 1; break;
                case "s": scale = 1000; break;
                case "m": scale = 60_000; break;
                case "h": scale = 3_600_000; break;
                default: return false;
            }

            if (number.Length == 0 || !char.IsDigit(number[0])
                || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            {
                return false;
            }

            double milliseconds = value * scale;
            if (milliseconds < 1 || milliseconds > TimeSpan.FromDays(365).TotalMilliseconds || milliseconds != Math.Floor(milliseconds))
            {
                return false;
            }

            duration = TimeSpan.FromMilliseconds(milliseconds);
            return true;
        }

        /// <summary>Writes <paramref name="duration"/> the way it is read: the largest unit that divides it.</summary>
        public static string Format(TimeSpan duration)
        {
            long ms = (long)duration.TotalMilliseconds;
            if (ms % 3_600_000 == 0) return (ms / 3_600_000).ToString(CultureInfo.InvariantCulture) + "h";
            if (ms % 60_000 == 0) return (ms / 60_000).ToString(CultureInfo.InvariantCulture) + "m";
            if (ms % 1000 == 0) return (ms / 1000).ToString(CultureInfo.InvariantCulture) + "s";
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }
    }
}

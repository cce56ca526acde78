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

        /// <summary>
        /// The longest a .NET timer waits, 2^32 − 2 ms (about 49.7 days): <c>Timer.Change</c>, <c>Task.Delay</c> and
        /// <c>CancelAfter</c> refuse more. It bounds the batch interval and every duration a connector waits for.
        /// </summary>
        public const long MaxTimerMilliseconds = 4294967294;

        /// <summary>The range of a duration that a timer waits for, for error messages.</summary>
        public const string TimerRange = "from 1ms to 4294967294ms (about 49.7 days, the longest a timer waits)";

        // The longest duration of anything else (a window's length, a timeout counted in batches): a year.
        private const double MaxMilliseconds = 365d * 24 * 3_600_000;

        // What can be wrong with a duration, as the end of a sentence that starts with the quoted text.
        private const string NotADuration = "is not a duration";
        private const string TooLong = "is too long";

        /// <summary>Parses <paramref name="text"/>; <see langword="false"/> if it is not a positive duration of whole milliseconds, at most a year.</summary>
        public static bool TryParse(string? text, out TimeSpan duration) =>
            Read(text, MaxMilliseconds, out duration) is null;

        /// <summary>
        /// Parses <paramref name="text"/> as a duration a timer waits for: whole milliseconds from 1 ms to
        /// <see cref="MaxTimerMilliseconds"/>. On failure <paramref name="problem"/> says what is wrong, as the end of a
        /// sentence that starts with the quoted text (<c>is negative</c>, <c>is too long</c>), followed by what to write.
        /// </summary>
        public static bool TryParseTimer(string? text, out TimeSpan duration, out string problem)
        {
            string? wrong = Read(text, MaxTimerMilliseconds, out duration);
            switch (wrong)
            {
                case null:
                    problem = "";
                    return true;
                case NotADuration:
                    problem = NotADuration + "; write " + Usage;
                    return false;
                case TooLong:
                    problem = TooLong + "; give " + TimerRange + ", e.g. 1193h";
                    return false;
                default:
                    problem = wrong + "; give " + TimerRange + ", e.g. 500ms, 1s, 2m";
                    return false;
            }
        }

        // Reads a duration of whole milliseconds from 1 to max; returns what is wrong with the text, or null.
        private static string? Read(string? text, double max, out TimeSpan duration)
        {
            duration = TimeSpan.Zero;
            if (text is null)
            {
                return NotADuration;
            }

            string trimmed = text.Trim();
            int unitStart = trimmed.Length;
            while (unitStart > 0 && char.IsLetter(trimmed[unitStart - 1]))
            {
                unitStart--;
            }

            string number = trimmed.Substring(0, unitStart);
            string unit = trimmed.Substring(unitStart).ToLowerInvariant();
            bool negative = number.Length > 1 && number[0] == '-';
            string digits = negative ? number.Substring(1) : number;
            if (digits.Length == 0 || !char.IsDigit(digits[0])
                || !double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            {
                return NotADuration;
            }

            double scale;
            switch (unit)
            {
                case "ms": scale = 1; break;
                case "s": scale = 1000; break;
                case "m": scale = 60_000; break;
                case "h": scale = 3_600_000; break;
                case "" when value == 0: scale = 1; break;  // "0" needs no unit to be recognisably zero
                default: return NotADuration;
            }

            double milliseconds = value * scale;
            if (milliseconds == 0)
            {
                return "is not positive";
            }

            if (negative)
            {
                return "is negative";
            }

            if (milliseconds > max)
            {
                return TooLong;
            }

            if (milliseconds < 1 || milliseconds != Math.Floor(milliseconds))
            {
                return "is not a whole number of milliseconds";
            }

            duration = TimeSpan.FromMilliseconds(milliseconds);
            return null;
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

using System.Diagnostics;
using Compiled.Benchmarks.Trill;
using Microsoft.StreamProcessing;

// Nexmark Q2 and Q5 in Trill, as whole processes for the end-to-end comparison (run-trill.sh runs them):
//   q2 BIDS OUTPUT [--columnar]    the bids on auctions whose id 123 divides, as (auction,price) lines
//   q5 BIDS OUTPUT [--columnar]    each 10 s window's (every 2 s) hottest auctions, as (windowStart,auction,bids) lines
// Trill runs in its row mode (Config.ForceRowBasedExecution) unless --columnar is given.
if (args.Length is < 3 or > 4 || (args.Length == 4 && args[3] != "--columnar") || args[0] is not ("q2" or "q5"))
{
    Console.Error.WriteLine("Usage: Compiled.Benchmarks.Trill q2|q5 BIDS OUTPUT [--columnar]: runs Nexmark Q2 or Q5 in Trill (row mode unless --columnar) over the bid file BIDS into the file OUTPUT.");
    return 2;
}

Config.ForceRowBasedExecution = args.Length < 4;
var clock = Stopwatch.StartNew();
long lines = args[0] == "q2" ? NexmarkQueries.Q2(args[1], args[2]) : NexmarkQueries.Q5(args[1], args[2]);
Console.Error.WriteLine($"Trill {args[0]} ({(Config.ForceRowBasedExecution ? "row" : "columnar")} mode): {lines:N0} lines in {clock.Elapsed.TotalSeconds:F2} s");
return 0;

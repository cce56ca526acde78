namespace Samples.LogMonitor;

/// <summary>One request of an access log, as views of its line's bytes.</summary>
public readonly ref struct AccessLogEntry
{
    /// <summary>Creates an entry.</summary>
    public AccessLogEntry(ReadOnlySpan<byte> endpoint, int status, double latencyMicroseconds)
    {
        Endpoint = endpoint;
        Status = status;
        LatencyMicroseconds = latencyMicroseconds;
    }

    /// <summary>The method and the path without its query string, <c>GET /api/orders</c>: a view of the line.</summary>
    public ReadOnlySpan<byte> Endpoint { get; }

    /// <summary>The HTTP status code, 100 to 599.</summary>
    public int Status { get; }

    /// <summary>The response time in microseconds, or NaN when the line has none.</summary>
    public double LatencyMicroseconds { get; }
}

/// <summary>
/// Reads access-log lines: the Common Log Format, or the Combined Log Format, each optionally followed by the
/// response time. The grammar (one line, without its line terminator):
/// <code>
/// line     = host SP ident SP user SP "[" time "]" SP DQUOTE request DQUOTE SP status SP bytes [SP referer SP agent] [SP duration] *SP
/// request  = method SP target [SP protocol]          method: 1 to 16 of A-Z; target and protocol: no space
/// status   = 3DIGIT, 100 to 599                      bytes: 1*DIGIT or "-"
/// duration = 1*DIGIT                                 microseconds: Apache's %D ("1234" is 1.234 ms)
///          / 1*DIGIT "." 1*DIGIT                     seconds: nginx's $request_time ("0.012" is 12 ms)
///          / 1*DIGIT ["." 1*DIGIT] ("us" / "ms" / "s")   an explicit unit ("12ms", "1.5s")
///          / "-"                                     no time
/// </code>
/// The endpoint is the method and the target up to its first <c>?</c> (the path without the query string); the time
/// between the brackets and the referer and agent (quoted strings) are not read. The request ends at the first
/// <c>"</c> followed by a space, a status and a space or the end of the line, so a quote inside the request does not
/// cut it short.
/// </summary>
public static class AccessLog
{
    /// <summary>The longest method accepted.</summary>
    public const int MaxMethodLength = 16;

    /// <summary>Parses one line; <see langword="false"/> if it is not an access-log line as the grammar above says.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out AccessLogEntry entry)
    {
        entry = default;

        // host ident user [time] "
        int open = line.IndexOf((byte)'[');
        if (open < 6 || line[open - 1] != ' ')
        {
            return false;
        }

        int close = line[open..].IndexOf("] \""u8);
        if (close < 0)
        {
            return false;
        }

        int requestStart = open + close + 3;

        // The request ends at the first quote that a status follows: '" ddd ' or '" ddd' at the end.
        ReadOnlySpan<byte> afterRequest = default;
        int requestEnd = -1;
        for (int from = requestStart; from < line.Length;)
        {
            int quote = line[from..].IndexOf((byte)'"');
            if (quote < 0)
            {
                return false;
            }

            quote += from;
            ReadOnlySpan<byte> rest = line[(quote + 1)..];
            if (rest.Length >= 4 && rest[0] == ' ' && IsDigit(rest[1]) && IsDigit(rest[2]) && IsDigit(rest[3]) && (rest.Length == 4 || rest[4] == ' '))
            {
                requestEnd = quote;
                afterRequest = rest[1..];
                break;
            }

            from = quote + 1;
        }

        if (requestEnd < 0)
        {
            return false;
        }

        // request = method SP target [SP protocol]
        ReadOnlySpan<byte> request = line[requestStart..requestEnd];
        int methodEnd = request.IndexOf((byte)' ');
        if (methodEnd < 1 || methodEnd > MaxMethodLength || request[..methodEnd].ContainsAnyExceptInRange((byte)'A', (byte)'Z'))
        {
            return false;
        }

        ReadOnlySpan<byte> target = request[(methodEnd + 1)..];
        int targetEnd = target.IndexOf((byte)' ');
        if (targetEnd >= 0)
        {
            ReadOnlySpan<byte> protocol = target[(targetEnd + 1)..];
            if (protocol.IsEmpty || protocol.Contains((byte)' '))
            {
                return false;
            }

            target = target[..targetEnd];
        }

        int query = target.IndexOf((byte)'?');
        int pathLength = query >= 0 ? query : target.Length;
        if (pathLength == 0)
        {
            return false;
        }

        // status SP bytes
        int status = ((afterRequest[0] - '0') * 100) + ((afterRequest[1] - '0') * 10) + (afterRequest[2] - '0');
        if (status is < 100 or > 599 || afterRequest.Length < 5)
        {
            return false;
        }

        ReadOnlySpan<byte> tail = afterRequest[4..];
        int bytesEnd = tail.IndexOf((byte)' ');
        ReadOnlySpan<byte> size = bytesEnd < 0 ? tail : tail[..bytesEnd];
        if (size.IsEmpty || (!size.SequenceEqual("-"u8) && size.ContainsAnyExceptInRange((byte)'0', (byte)'9')))
        {
            return false;
        }

        // [SP referer SP agent] [SP duration] *SP
        double latency = double.NaN;
        ReadOnlySpan<byte> more = bytesEnd < 0 ? default : tail[(bytesEnd + 1)..].TrimEnd((byte)' ');
        if (!more.IsEmpty && more[^1] != '"')
        {
            ReadOnlySpan<byte> duration = more[(more.LastIndexOf((byte)' ') + 1)..];
            if (!duration.SequenceEqual("-"u8) && !TryParseDuration(duration, out latency))
            {
                return false;
            }
        }

        entry = new AccessLogEntry(request[..(methodEnd + 1 + pathLength)], status, latency);
        return true;
    }

    /// <summary>
    /// Reads a duration as the grammar above writes it and gives it in microseconds: a bare integer is microseconds,
    /// a decimal without a unit is seconds, and <c>us</c>, <c>ms</c> or <c>s</c> name the unit.
    /// </summary>
    public static bool TryParseDuration(ReadOnlySpan<byte> text, out double microseconds)
    {
        microseconds = double.NaN;
        int scale; // the unit in microseconds, as a power of ten
        if (text.EndsWith("us"u8))
        {
            scale = 0;
            text = text[..^2];
        }
        else if (text.EndsWith("ms"u8))
        {
            scale = 3;
            text = text[..^2];
        }
        else if (text.EndsWith("s"u8))
        {
            scale = 6;
            text = text[..^1];
        }
        else
        {
            scale = text.Contains((byte)'.') ? 6 : 0;
        }

        // 1*DIGIT ["." 1*DIGIT], at most 18 digits, read as an integer mantissa and a count of decimals, so that
        // "0.012" seconds is exactly 12000 microseconds.
        int dot = text.IndexOf((byte)'.');
        ReadOnlySpan<byte> whole = dot < 0 ? text : text[..dot];
        ReadOnlySpan<byte> fraction = dot < 0 ? default : text[(dot + 1)..];
        if (whole.IsEmpty || (dot >= 0 && fraction.IsEmpty) || whole.Length + fraction.Length > 18
            || whole.ContainsAnyExceptInRange((byte)'0', (byte)'9') || fraction.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }

        long mantissa = 0;
        foreach (byte digit in whole)
        {
            mantissa = (mantissa * 10) + (digit - '0');
        }

        foreach (byte digit in fraction)
        {
            mantissa = (mantissa * 10) + (digit - '0');
        }

        int exponent = scale - fraction.Length;
        microseconds = exponent >= 0 ? mantissa * Pow10(exponent) : mantissa / Pow10(-exponent);
        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static double Pow10(int exponent)
    {
        double result = 1;
        for (int i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}

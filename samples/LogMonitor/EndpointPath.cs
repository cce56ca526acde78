namespace Samples.LogMonitor;

/// <summary>
/// Folds the ids in an endpoint's path into <c>{id}</c>, so that <c>GET /users/123</c> and <c>GET /users/456</c> are
/// one endpoint, <c>GET /users/{id}</c>, and a log whose paths carry ids does not make every request an endpoint of
/// its own. Works on the bytes of the line: the result is the endpoint itself when it holds no id, and otherwise a
/// view of a buffer of the calling thread, valid until the thread's next call; nothing is allocated but that buffer,
/// once, as long as the longest endpoint needs.
/// </summary>
/// <remarks>
/// <para>
/// A segment is the text between two <c>/</c>, or after the last one. It is an id when it is
/// </para>
/// <list type="number">
/// <item><description>all decimal digits: <c>123</c>, <c>2024</c>;</description></item>
/// <item><description>a UUID, 8-4-4-4-12 hexadecimal digits with hyphens: <c>3f2504e0-4f89-11d3-9a0c-0305e82c3301</c>;</description></item>
/// <item><description>8 or more hexadecimal digits of which at least one is a decimal digit: <c>9f2c01ab</c>, a 24-digit object id, a hash (<c>deadbeef</c>, without a decimal digit, stays);</description></item>
/// <item><description>16 or more letters and digits, at least one of each, nothing else: a token such as <c>Xk9fQ2LmPz7RtB4w</c>.</description></item>
/// </list>
/// <para>
/// A segment that ends in an extension (a <c>.</c>, a letter, and up to 7 more letters and digits) is judged by what
/// comes before it, and keeps the extension: <c>/img/4711.png</c> becomes <c>/img/{id}.png</c>. Anything else stays as
/// it is: words (<c>status</c>, <c>v2</c>, <c>oauth2</c>), slugs with hyphens (<c>top-10-tips</c>), version numbers
/// (<c>1.2.3</c>), short hexadecimal words. An endpoint that still varies without end (slugs, say) is what the
/// endpoint bound (<see cref="EndpointBudget"/>) is for.
/// </para>
/// </remarks>
public static class EndpointPath
{
    /// <summary>What an id segment is replaced with.</summary>
    public static ReadOnlySpan<byte> IdPlaceholder => "{id}"u8;

    /// <summary>The fewest hexadecimal digits a segment of hexadecimal digits alone needs to be an id.</summary>
    public const int MinHexIdLength = 8;

    /// <summary>The fewest letters and digits a mixed segment needs to be an id (a token).</summary>
    public const int MinTokenLength = 16;

    // The longest extension kept after an id, without its dot: a letter and up to 7 more letters and digits.
    private const int MaxExtensionLength = 8;

    // The calling thread's buffer for an endpoint with ids in it: the fused loop copies the key into its table before
    // the next line is parsed, on the same thread.
    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>
    /// The endpoint (method, space, path) with each id segment of its path replaced by <c>{id}</c>: the endpoint
    /// itself when it holds none, otherwise a view of the calling thread's buffer, valid until the thread's next call.
    /// </summary>
    public static ReadOnlySpan<byte> Normalize(ReadOnlySpan<byte> endpoint)
    {
        int path = endpoint.IndexOf((byte)'/');
        if (path < 0 || !HasId(endpoint[path..]))
        {
            return endpoint;
        }

        // "/1" (2 bytes) becomes "/{id}" (5): no endpoint grows by more than 2.5 times.
        int most = checked(endpoint.Length * 3);
        byte[] buffer = t_buffer is { } existing && existing.Length >= most ? existing : (t_buffer = new byte[Math.Max(256, most)]);
        int written = Normalize(endpoint, buffer);
        return buffer.AsSpan(0, written);
    }

    /// <summary>
    /// Writes the endpoint with each id segment replaced by <c>{id}</c> into <paramref name="destination"/>, which must
    /// hold three times the endpoint's length, and returns the bytes written.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than three times the endpoint.</exception>
    public static int Normalize(ReadOnlySpan<byte> endpoint, Span<byte> destination)
    {
        if (destination.Length < endpoint.Length * 3L)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; give it three times the endpoint's {endpoint.Length} bytes.", nameof(destination));
        }

        int path = endpoint.IndexOf((byte)'/');
        if (path < 0)
        {
            endpoint.CopyTo(destination);
            return endpoint.Length;
        }

        endpoint[..path].CopyTo(destination);
        int written = path;
        ReadOnlySpan<byte> rest = endpoint[path..];
        while (!rest.IsEmpty)
        {
            // rest starts with '/': copy it, then the segment up to the next '/', replaced if it is an id.
            destination[written++] = (byte)'/';
            rest = rest[1..];
            int end = rest.IndexOf((byte)'/');
            ReadOnlySpan<byte> segment = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[end..];
            int stem = IdStemLength(segment);
            if (stem > 0)
            {
                IdPlaceholder.CopyTo(destination[written..]);
                written += IdPlaceholder.Length;
                segment = segment[stem..];
            }

            segment.CopyTo(destination[written..]);
            written += segment.Length;
        }

        return written;
    }

    /// <summary>Whether a path segment (without its slashes) is an id, as the rule above says; an id with an extension is one.</summary>
    public static bool IsId(ReadOnlySpan<byte> segment) => IdStemLength(segment) > 0;

    // Whether any segment of the path (which starts with '/') is an id.
    private static bool HasId(ReadOnlySpan<byte> path)
    {
        while (!path.IsEmpty)
        {
            path = path[1..];
            int end = path.IndexOf((byte)'/');
            if (IdStemLength(end < 0 ? path : path[..end]) > 0)
            {
                return true;
            }

            path = end < 0 ? default : path[end..];
        }

        return false;
    }

    // The length of the segment's id, the part replaced by {id}: the whole segment, or the part before its extension;
    // 0 when the segment is not an id.
    private static int IdStemLength(ReadOnlySpan<byte> segment)
    {
        if (IsIdStem(segment))
        {
            return segment.Length;
        }

        int dot = segment.LastIndexOf((byte)'.');
        if (dot > 0 && segment.Length - dot - 1 <= MaxExtensionLength && IsExtension(segment[(dot + 1)..]) && IsIdStem(segment[..dot]))
        {
            return dot;
        }

        return 0;
    }

    private static bool IsIdStem(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        // Counts the decimal digits, the letters a to f and the other letters; any other character leaves only a UUID.
        int digits = 0, hexLetters = 0, otherLetters = 0;
        foreach (byte b in text)
        {
            if (IsDigit(b))
            {
                digits++;
            }
            else if ((uint)((b | 0x20) - 'a') <= 'f' - 'a')
            {
                hexLetters++;
            }
            else if ((uint)((b | 0x20) - 'a') <= 'z' - 'a')
            {
                otherLetters++;
            }
            else
            {
                return IsUuid(text);
            }
        }

        return digits == text.Length                                                                    // 1. a number
            || (otherLetters == 0 && digits > 0 && text.Length >= MinHexIdLength)                           // 3. hexadecimal
            || (digits > 0 && hexLetters + otherLetters > 0 && text.Length >= MinTokenLength);              // 4. a token
    }

    // 2. 8-4-4-4-12 hexadecimal digits with hyphens.
    private static bool IsUuid(ReadOnlySpan<byte> text)
    {
        if (text.Length != 36)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            bool hyphen = i is 8 or 13 or 18 or 23;
            if (hyphen ? text[i] != '-' : !IsHex(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    // A letter, then letters and digits: png, json, mp4.
    private static bool IsExtension(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || !IsLetter(text[0]))
        {
            return false;
        }

        foreach (byte b in text)
        {
            if (!IsLetter(b) && !IsDigit(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'f' - 'a';
}

namespace Compiled.Connectors;

/// <summary>
/// Hides the secrets a connector URI may carry, so that logs, messages and checkpoints never show them: the password of
/// its user part (<c>redis://user:secret@host</c>) and the value of an option that holds a secret (<c>password</c>,
/// <c>sasl.password</c>, <c>token</c>, ...), each replaced by <c>***</c>.
/// </summary>
public static class UriSecrets
{
    // Option names whose values are secrets, compared without case; a name ending in one of them counts too
    // (sasl.password, ssl.key.password, api.token).
    private static readonly string[] SecretNames = ["password", "passwd", "pwd", "secret", "token", "apikey", "api.key"];

    /// <summary>The URI <paramref name="text"/> with the password of its user part and every secret option's value replaced by <c>***</c>.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string result = text;
        int start = result.IndexOf("//", StringComparison.Ordinal);
        int authorityStart = start < 0 ? result.IndexOf(':', StringComparison.Ordinal) + 1 : start + 2;
        int authorityEnd = result.IndexOfAny(['/', '?'], authorityStart);
        string authority = authorityEnd < 0 ? result[authorityStart..] : result[authorityStart..authorityEnd];
        int at = authority.LastIndexOf('@');
        int colon = at < 0 ? -1 : authority.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && colon < at)
        {
            result = string.Concat(result.AsSpan(0, authorityStart + colon + 1), "***", result.AsSpan(authorityStart + at));
        }

        int question = result.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return result;
        }

        string[] pairs = result[(question + 1)..].Split('&');
        for (int i = 0; i < pairs.Length; i++)
        {
            int equals = pairs[i].IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IsSecret(pairs[i].AsSpan(0, equals)))
            {
                pairs[i] = string.Concat(pairs[i].AsSpan(0, equals + 1), "***");
            }
        }

        return string.Concat(result.AsSpan(0, question + 1), string.Join('&', pairs));
    }

    private static bool IsSecret(ReadOnlySpan<char> name)
    {
        foreach (string secret in SecretNames)
        {
            if (name.EndsWith(secret, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
